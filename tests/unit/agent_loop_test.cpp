// The agent loop as the service runs it, on its own thread, over a real package tree and state
// folder; only the NS is scripted (through the loop's NS client factory). The end-to-end tests
// (AgentRun.*) run the `psguard run` process against the NS emulator. The tests wait for the
// snapshots the loop publishes, up to a generous deadline: they never assert on timing.
#include "agent/agent_loop.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "cycle/check_report.hpp"
#include "unit/cycle_report_fixture.hpp"
#include "unit/scripted_transport.hpp"
#include "unit/temp_tree.hpp"

namespace psguard {
namespace {

using namespace std::chrono_literals;

// Long enough for a cycle on a loaded CI machine; a passing test waits far less.
constexpr auto kAgentLoopTestDeadline = 10s;
constexpr const char* kAgentLoopTestOtherGuid = "{b2c3d4e5-0000-4000-8000-000000000002}";

class AgentLoopTest : public ::testing::Test {
  protected:
    AgentLoopTest() {
        test::write_package(tree, test::kHealthyId, "1601867730");
        test::write_package(tree, test::kStaleId, "7");
        config = test::tree_config(tree);
        config.ns.max_retries = 0;  // one request per cycle
    }

    // The NS's answer: the first package Ready, the second Invalid (Ready here: stale on the NS).
    static TransportOutcome usual_answer() {
        return test::dataset_answer({{test::kHealthyId, "Office", "Ready", "1601867730"},
                                     {test::kStaleId, "Java", "Invalid", "7"}});
    }

    void start_loop() {
        LoopTiming timing;
        timing.interval = 1h;  // neither the timer nor the NS backoff fires during a test
        timing.ns_backoff_first = 1h;
        timing.debounce = 5ms;
        loop = std::make_unique<AgentLoop>(
            config, timing, AgentLoop::CycleObserver{},
            [this](const Config& cycle_config,
                   RetryWait wait) -> Result<std::unique_ptr<NsClient>> {
                return std::make_unique<NsClient>(cycle_config.ns, cycle_config.server_name,
                                                  ns.transport(), std::move(wait));
            });
        std::promise<Status> done;
        loop_result = done.get_future();
        loop_thread = std::jthread([this, done = std::move(done)](std::stop_token stop) mutable {
            done.set_value(loop->run(stop));
        });
    }

    // The first snapshot counting `cycles` cycles, or the last one seen at the deadline.
    std::shared_ptr<const AgentSnapshot> snapshot_after(std::uint64_t cycles) const {
        const auto deadline = std::chrono::steady_clock::now() + kAgentLoopTestDeadline;
        auto snapshot = loop->snapshot();
        while (snapshot->cycles_total < cycles && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(2ms);
            snapshot = loop->snapshot();
        }
        return snapshot;
    }

    // Whether run() returned by the deadline, and with success.
    ::testing::AssertionResult run_ended_ok() {
        if (loop_result.wait_for(kAgentLoopTestDeadline) != std::future_status::ready) {
            return ::testing::AssertionFailure() << "run() still running";
        }
        if (const Status status = loop_result.get(); !status) {
            return ::testing::AssertionFailure() << "run() failed: " << status.error().message;
        }
        return ::testing::AssertionSuccess();
    }

    static std::optional<Verdict> verdict_of(const CheckReport& report, const std::string& id) {
        for (const auto& package : report.packages) {
            if (package.id == id) {
                return package.verdict;
            }
        }
        return std::nullopt;
    }

    // Destroyed in reverse: the thread stops and joins the loop before anything it uses goes.
    test::TempTree tree;
    Config config;
    test::TransportScript ns;
    std::unique_ptr<AgentLoop> loop;
    std::future<Status> loop_result;
    std::jthread loop_thread;
};

TEST_F(AgentLoopTest, TheFirstCyclePublishesTheNsVerdicts) {
    ns.then(usual_answer());
    start_loop();
    const auto snapshot = snapshot_after(1);
    ASSERT_EQ(snapshot->cycles_total, 1u);
    EXPECT_FALSE(snapshot->cycle_running);
    ASSERT_TRUE(snapshot->last_cycle);
    EXPECT_EQ(snapshot->last_cycle->trigger, CycleTrigger::start);
    EXPECT_EQ(snapshot->last_cycle->scan, "full");
    EXPECT_EQ(snapshot->cycles_by_trigger.at(CycleTrigger::start), 1u);
    EXPECT_EQ(snapshot->ns_failures_total, 0u);
    ASSERT_TRUE(snapshot->report);
    const CheckReport& report = *snapshot->report;
    EXPECT_TRUE(report.ns.usable) << report.ns.error;
    EXPECT_EQ(verdict_of(report, test::kHealthyId), Verdict::healthy);
    EXPECT_EQ(verdict_of(report, test::kStaleId), Verdict::stale_on_ns);
    EXPECT_EQ(snapshot->last_cycle->exit_code, report.exit_code());
    const auto requests = ns.requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_NE(requests[0].find("reportItemGuid=%7Ba1b2c3d4-0000-4000-8000-000000000001%7D"),
              std::string::npos)
        << requests[0];
    EXPECT_NE(requests[0].find("PackageServer%3DPS01"), std::string::npos) << requests[0];
}

TEST_F(AgentLoopTest, ARequestedCycleAsksTheNsAgain) {
    ns.then(usual_answer());
    ns.then(usual_answer());
    start_loop();
    ASSERT_EQ(snapshot_after(1)->cycles_total, 1u);
    EXPECT_EQ(loop->request_cycle(), TriggerResult::accepted);
    const auto snapshot = snapshot_after(2);
    ASSERT_EQ(snapshot->cycles_total, 2u);
    EXPECT_EQ(snapshot->last_cycle->trigger, CycleTrigger::endpoint);
    EXPECT_EQ(snapshot->cycles_by_trigger.at(CycleTrigger::endpoint), 1u);
    EXPECT_TRUE(snapshot->report->ns.usable) << snapshot->report->ns.error;
    EXPECT_EQ(ns.requests().size(), 2u);
}

TEST_F(AgentLoopTest, NsFailuresAreReportedAndTheLoopGoesOn) {
    ns.then(test::transport_failure(TransportFailure::connect, "connection refused"));
    start_loop();
    auto snapshot = snapshot_after(1);
    ASSERT_EQ(snapshot->cycles_total, 1u);
    EXPECT_FALSE(snapshot->report->ns.usable);
    EXPECT_EQ(snapshot->report->ns.failure, NsFailure::unreachable);
    EXPECT_EQ(snapshot->last_cycle->exit_code, kExitNsUnusable);
    EXPECT_EQ(snapshot->ns_failures_total, 1u);

    ns.then(test::http_answer(500, "<html>Runtime Error</html>"));
    EXPECT_EQ(loop->request_cycle(), TriggerResult::accepted);
    snapshot = snapshot_after(2);
    ASSERT_EQ(snapshot->cycles_total, 2u);
    EXPECT_FALSE(snapshot->report->ns.usable);
    EXPECT_EQ(snapshot->report->ns.failure, NsFailure::server);
    EXPECT_EQ(snapshot->ns_failures_total, 2u);

    ns.then(usual_answer());
    EXPECT_EQ(loop->request_cycle(), TriggerResult::accepted);
    snapshot = snapshot_after(3);
    ASSERT_EQ(snapshot->cycles_total, 3u);
    EXPECT_TRUE(snapshot->report->ns.usable) << snapshot->report->ns.error;
    EXPECT_EQ(verdict_of(*snapshot->report, test::kStaleId), Verdict::stale_on_ns);
    EXPECT_EQ(snapshot->ns_failures_total, 2u);
    EXPECT_EQ(ns.requests().size(), 3u);
}

TEST_F(AgentLoopTest, StopEndsTheRun) {
    ns.then(usual_answer());
    start_loop();
    ASSERT_EQ(snapshot_after(1)->cycles_total, 1u);
    loop->stop();
    EXPECT_TRUE(run_ended_ok());
    EXPECT_FALSE(loop->healthy(now_seconds()));
}

TEST_F(AgentLoopTest, TheThreadsStopTokenEndsTheRun) {
    ns.then(usual_answer());
    start_loop();
    ASSERT_EQ(snapshot_after(1)->cycles_total, 1u);
    loop_thread.request_stop();
    EXPECT_TRUE(run_ended_ok());
}

TEST_F(AgentLoopTest, AStopCutsTheNsRetryWaitShort) {
    config.ns.max_retries = 1;
    config.ns.retry_backoff = 1h;
    ns.then(test::http_answer(503));
    start_loop();
    const auto deadline = std::chrono::steady_clock::now() + kAgentLoopTestDeadline;
    while (ns.requests().empty() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(2ms);
    }
    ASSERT_EQ(ns.requests().size(), 1u);  // the cycle is waiting an hour before its retry
    loop->stop();
    EXPECT_TRUE(run_ended_ok());
    const auto snapshot = loop->snapshot();
    ASSERT_EQ(snapshot->cycles_total, 1u);
    EXPECT_EQ(snapshot->report->ns.failure, NsFailure::server);
    EXPECT_NE(snapshot->report->ns.error.find("retries cut short"), std::string::npos)
        << snapshot->report->ns.error;
    EXPECT_EQ(ns.requests().size(), 1u);
}

TEST_F(AgentLoopTest, AReloadedConfigurationAppliesAtTheNextCycle) {
    ns.then(usual_answer());
    ns.then(usual_answer());
    start_loop();
    ASSERT_EQ(snapshot_after(1)->cycles_total, 1u);
    Config reloaded = config;
    reloaded.ns.url = "https://ns2.example.com";
    reloaded.ns.report_guid = kAgentLoopTestOtherGuid;
    loop->reload(reloaded);
    EXPECT_EQ(loop->request_cycle(), TriggerResult::accepted);
    const auto snapshot = snapshot_after(2);
    ASSERT_EQ(snapshot->cycles_total, 2u);
    EXPECT_EQ(snapshot->settings.at("ns_url"), "https://ns2.example.com");
    EXPECT_EQ(snapshot->settings.at("report_guid"), kAgentLoopTestOtherGuid);
    EXPECT_EQ(snapshot->report->ns.url, "https://ns2.example.com");
    const auto requests = ns.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_NE(requests[1].find("reportItemGuid=%7Bb2c3d4e5-0000-4000-8000-000000000002%7D"),
              std::string::npos)
        << requests[1];
}

// A file-change cycle judges again the packages that changed on disk and those whose NS row
// changed, and keeps the others' verdicts (ReconcileIncremental.* has the property in full).
TEST_F(AgentLoopTest, AFileChangeCycleJudgesChangedPackagesAndChangedRowsAgain) {
    ns.then(usual_answer());
    // The NS now holds the healthy package Invalid; only the other one is touched on disk.
    ns.then(test::dataset_answer({{test::kHealthyId, "Office", "Invalid", "1601867730"},
                                  {test::kStaleId, "Java", "Invalid", "7"}}));
    ns.then(usual_answer());
    ns.then(usual_answer());
    start_loop();
    ASSERT_EQ(snapshot_after(1)->cycles_total, 1u);
    const auto status_file = [&](const char* id) {
        return tree / "PackageStatus" / id / "PackageStatus.xml";
    };

    test::write_package(tree, test::kStaleId, "7");
    loop->notify_file_change(status_file(test::kStaleId));
    auto snapshot = snapshot_after(2);
    ASSERT_EQ(snapshot->cycles_total, 2u);
    EXPECT_EQ(snapshot->last_cycle->trigger, CycleTrigger::file_change);
    EXPECT_EQ(snapshot->last_cycle->scan, "incremental (1 packages)");
    EXPECT_EQ(verdict_of(*snapshot->report, test::kHealthyId), Verdict::stale_on_ns);
    EXPECT_EQ(verdict_of(*snapshot->report, test::kStaleId), Verdict::stale_on_ns);

    test::write_package(tree, test::kStaleId, "7");  // the NS holds the first one Ready again
    loop->notify_file_change(status_file(test::kStaleId));
    snapshot = snapshot_after(3);
    ASSERT_EQ(snapshot->cycles_total, 3u);
    EXPECT_EQ(verdict_of(*snapshot->report, test::kHealthyId), Verdict::healthy);

    // Healthy until now, and changed on disk: judged again.
    tree.write(std::filesystem::path("PackageStatus") / test::kHealthyId / "PackageStatus.xml",
               "<PackageStatus status=\"Downloading\" version=\"1601867730\"/>");
    loop->notify_file_change(status_file(test::kHealthyId));
    snapshot = snapshot_after(4);
    ASSERT_EQ(snapshot->cycles_total, 4u);
    EXPECT_EQ(snapshot->last_cycle->scan, "incremental (1 packages)");
    EXPECT_EQ(verdict_of(*snapshot->report, test::kHealthyId), Verdict::not_ready_locally);
    EXPECT_EQ(verdict_of(*snapshot->report, test::kStaleId), Verdict::stale_on_ns);
}

}  // namespace
}  // namespace psguard
