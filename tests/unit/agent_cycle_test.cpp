// The cycle with the Symantec agent's objects (a scripted fake above the agent_com seam) and an
// NS answer from a fake transport: the agent's view, Procedure 1's policy refresh and the fleet
// status NSE as the cycle uses them, on real files and a real state folder.
#include <gtest/gtest.h>

#include <algorithm>

#include "cycle/check_cycle.hpp"
#include "cycle_report_fixture.hpp"
#include "fake_agent_automation.hpp"
#include "temp_tree.hpp"

namespace psguard {
namespace {

constexpr const char* kStale = "{6c821f5e-1a2b-4c3d-8e9f-0a1b2c3d4e01}";
constexpr const char* kHealthy = "{6c821f5e-1a2b-4c3d-8e9f-0a1b2c3d4e02}";
constexpr const char* kLocalOnly = "{6c821f5e-1a2b-4c3d-8e9f-0a1b2c3d4e03}";

AgentPackage agent_package(const std::string& id, const std::string& status,
                           const std::string& name) {
    AgentPackage package;
    package.id = id;
    package.status = status;
    package.name = name;
    package.version = "7";
    return package;
}

class AgentCycleTest : public ::testing::Test {
  protected:
    AgentCycleTest() {
        for (const char* id : {kStale, kHealthy, kLocalOnly}) {
            test::write_package(tree, id, "7");
        }
        config = test::tree_config(tree);
        config.local.agent_view = AgentViewMode::on;
        agent.packages_answer = {ComOutcome{},
                                 {agent_package(kStale, "Ready", "Stale"),
                                  agent_package(kHealthy, "Downloading", "Healthy"),
                                  agent_package(kLocalOnly, "Ready", "Only here")}};
    }

    // The NS's DataSet: the first package Invalid, the second Ready.
    NsClient ns() {
        return NsClient(
            config.ns, "PS01",
            std::make_unique<test::DataSetTransport>(std::vector<test::NsRow>{
                {kStale, "NS name", "Invalid", "7"}, {kHealthy, "NS name", "Ready", "7"}}));
    }

    CheckReport cycle(TimePoint now, bool heal = true) {
        auto state = StateDir::open(config.paths.state_dir);
        EXPECT_TRUE(state) << state.error().message;
        CycleOptions options;
        options.heal = heal;
        options.agent = &agent;
        NsClient client = ns();
        return run_cycle(config, client, **state, options, now);
    }

    const Finding* finding(const CheckReport& report, FindingKind kind) {
        for (const auto& f : report.findings) {
            if (f.kind == kind) {
                return &f;
            }
        }
        return nullptr;
    }

    test::TempTree tree;
    Config config;
    test::FakeAgentAutomation agent;
    TimePoint t0 = parse_utc("2026-11-26T06:00:00Z").value();
};

TEST_F(AgentCycleTest, TheAgentsViewNamesCrossChecksAndIsReported) {
    NsClient client = ns();
    const CheckReport report = run_check_cycle(config, client, &agent);
    ASSERT_TRUE(report.agent_view);
    EXPECT_TRUE(report.agent_view->read);
    EXPECT_EQ(report.agent_view->packages, 3u);
    EXPECT_EQ(report.agent_view->disagreements, 1u);
    const Finding* disagrees = finding(report, FindingKind::agent_view_disagrees);
    ASSERT_NE(disagrees, nullptr);
    EXPECT_NE(disagrees->detail.find(kHealthy), std::string::npos) << disagrees->detail;
    EXPECT_NE(disagrees->detail.find("\"Downloading\""), std::string::npos);
    EXPECT_NE(disagrees->detail.find("\"Ready\""), std::string::npos);
    EXPECT_TRUE(disagrees->problem);
    // The NS does not list the third package: its name comes from the agent.
    for (const auto& package : report.packages) {
        if (package.id == kLocalOnly) {
            EXPECT_EQ(package.name, "Only here");
            EXPECT_EQ(package.verdict, Verdict::unknown_to_ns);
        }
    }
}

TEST_F(AgentCycleTest, UnreadableFilesAreJudgedByTheAgentAndTheReasonSaysSo) {
    tree.write(std::filesystem::path("PackageStatus") / kStale / "PackageStatus.xml",
               "<PackageStatus status=");
    NsClient client = ns();
    const CheckReport report = run_check_cycle(config, client, &agent);
    bool seen = false;
    for (const auto& package : report.packages) {
        if (package.id == kStale) {
            seen = true;
            EXPECT_EQ(package.verdict, Verdict::stale_on_ns) << package.reason;
            EXPECT_NE(package.reason.find("the agent's own view was used"), std::string::npos);
        }
    }
    EXPECT_TRUE(seen);
    EXPECT_EQ(report.agent_view->used_for_unreadable, 1u);
}

TEST_F(AgentCycleTest, AFailedReadDegradesToTheFilesWithANote) {
    agent.packages_answer = {test::not_registered(), {}};
    NsClient client = ns();
    CheckReport report = run_check_cycle(config, client, &agent);
    ASSERT_TRUE(report.agent_view);
    EXPECT_FALSE(report.agent_view->read);
    EXPECT_NE(report.agent_view->note.find("not registered"), std::string::npos);
    EXPECT_NE(finding(report, FindingKind::agent_view_unavailable),
              nullptr);  // "on": said as a finding
    EXPECT_EQ(report.packages.size(), 3u);
    // Automatic: where the class is simply not registered, a note only.
    config.local.agent_view = AgentViewMode::automatic;
    NsClient again = ns();
    report = run_check_cycle(config, again, &agent);
    EXPECT_EQ(finding(report, FindingKind::agent_view_unavailable), nullptr);
    EXPECT_FALSE(report.agent_view->note.empty());
    // Off: not asked at all.
    config.local.agent_view = AgentViewMode::off;
    agent.calls.clear();
    NsClient off = ns();
    report = run_check_cycle(config, off, &agent);
    EXPECT_TRUE(agent.calls.empty());
    EXPECT_FALSE(report.agent_view);
}

TEST_F(AgentCycleTest, ACredentialNotAppliedAsksTheAgentForItsPoliciesOncePerInterval) {
    config.credential_account = "psguard-no-such-account-7f3a";  // does not resolve
    config.heal.policy_refresh = true;
    config.heal.confirm_cycles = 1;
    CheckReport report = cycle(t0);
    EXPECT_EQ(report.diagnosis, Cause::credential_not_applied);
    ASSERT_TRUE(report.heal && report.heal->policy_refresh);
    EXPECT_EQ(report.heal->policy_refresh->result, "requested");
    report = cycle(t0 + std::chrono::minutes(15));
    ASSERT_TRUE(report.heal->policy_refresh);
    EXPECT_EQ(report.heal->policy_refresh->result, "waiting");
    EXPECT_EQ(std::count(agent.calls.begin(), agent.calls.end(), "refresh_policies"), 1);
    // Not healing (the agent loop with heal off): not asked.
    config.heal.policy_refresh_interval = std::chrono::hours(1);
    report = cycle(t0 + std::chrono::hours(2), /*heal=*/false);
    EXPECT_FALSE(report.heal->policy_refresh);
    EXPECT_EQ(std::count(agent.calls.begin(), agent.calls.end(), "refresh_policies"), 1);
}

TEST_F(AgentCycleTest, TheFleetRowGoesOutWhenDueAndWhenTheSummaryChanges) {
    config.smp_report.enabled = true;
    config.smp_report.data_class = "{9d1d7a66-2b0f-4c1e-8a77-5c0b3d2e1f10}";
    CheckReport report = cycle(t0, false);
    ASSERT_TRUE(report.smp_report);
    EXPECT_EQ(report.smp_report->result, "sent");
    ASSERT_EQ(agent.events.size(), 1u);
    const auto& row = agent.events[0].rows.at(0);
    EXPECT_EQ(row[1], "2026-11-26T06:00:00Z");
    EXPECT_EQ(row[2], "findings");
    EXPECT_EQ(row[3], "1");    // healthy
    EXPECT_EQ(row[4], "1");    // stale_on_ns
    EXPECT_EQ(row[9], "1");    // unknown_to_ns
    EXPECT_EQ(row[15], "-1");  // no credential account: not checked

    report = cycle(t0 + std::chrono::minutes(15), false);
    EXPECT_EQ(report.smp_report->result, "not_due");
    EXPECT_EQ(agent.events.size(), 1u);

    std::filesystem::remove_all(tree / "Package Delivery" / kLocalOnly);
    std::filesystem::remove_all(tree / "PackageStatus" / kLocalOnly);
    report = cycle(t0 + std::chrono::minutes(30), false);
    EXPECT_EQ(report.smp_report->result, "sent");
    ASSERT_EQ(agent.events.size(), 2u);
    EXPECT_EQ(agent.events[1].rows.at(0)[9], "0");

    agent.event_answer = test::not_registered();
    report = cycle(t0 + std::chrono::hours(25), false);
    EXPECT_EQ(report.smp_report->result, "failed");
    EXPECT_EQ(report.smp_report->hresult, static_cast<std::int32_t>(0x80040154));
}

}  // namespace
}  // namespace psguard
