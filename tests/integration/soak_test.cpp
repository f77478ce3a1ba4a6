// A compressed soak of the real `psguard run`: hundreds of cycles in seconds (endpoint triggers
// and file events with a short debounce) over a tree that churns all the time (statuses rewritten,
// packages appearing and disappearing), the NS emulator over TLS. After a warm-up, the agent's
// resident memory and open descriptors must stay flat: a leak of one descriptor or a few KB per
// cycle shows up over the run.
#include <gtest/gtest.h>

#include <dirent.h>

#include <csignal>
#include <fstream>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "integration/package_tree.hpp"
#include "support/child_process.hpp"
#include "support/https_client.hpp"
#include "support/ns_emulator.hpp"
#include "support/temp_dir.hpp"

namespace psguard::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr int kPackages = 40;
constexpr int kWarmupCycles = 40;
constexpr int kCycles = 200;
// Bounds after the warm-up: no descriptor may leak; memory may move by allocator noise only.
constexpr long kMaxFdGrowth = 0;
#if defined(__SANITIZE_ADDRESS__)
// ASan's allocator maps a region per size class and its shadow follows: after the warm-up its RSS
// still creeps by 2-3 MB over 160 cycles (2,812 KB in one CI run) without any live growth. A
// retained per-cycle allocation (a kept snapshot or report) still exceeds this by far, and LSan
// reports lost memory at the agent's exit.
constexpr long kMaxRssGrowthKb = 4096;
#else
constexpr long kMaxRssGrowthKb = 2048;
#endif

std::string guid(int n) {
    char text[64];
    std::snprintf(text, sizeof(text), "{5A000000-0000-4000-8000-%012d}", n);
    return text;
}

long rss_kb(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string key;
    long value = 0;
    while (in >> key) {
        if (key == "VmRSS:") {
            in >> value;
            return value;
        }
        std::getline(in, key);
    }
    return -1;
}

long open_fds(int pid) {
    long count = 0;
    for (const auto& entry : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
        (void)entry;
        ++count;
    }
    return count;
}

class Soak : public ::testing::Test {
  protected:
    Soak() : tree_(dir_ / "agent") {
        nlohmann::json rows = nlohmann::json::array();
        for (int i = 0; i < kPackages; ++i) {
            tree_.add({.guid = guid(i), .element_form = i % 2 == 1});
            rows.push_back({{"guid", guid(i)},
                            {"name", "Package " + std::to_string(i)},
                            {"status", "Ready"},
                            {"ns_version", "1601867730"},
                            {"reported_version", "1601867730"}});
        }
        ns_.emplace(nlohmann::json{{"server", "PS01"},
                                   {"report_guid", kReportGuid},
                                   {"auth", {{"type", "none"}}},
                                   {"packages", rows},
                                   {"fault", "none"}});
        const nlohmann::json config = {{"package_server", {{"name", "PS01"}}},
                                       {"paths",
                                        {{"package_delivery", tree_.delivery().string()},
                                         {"package_status", tree_.status().string()},
                                         {"state_dir", (dir_ / "state").string()}}},
                                       {"ns",
                                        {{"url", ns_->url()},
                                         {"report_guid", kReportGuid},
                                         {"ca_file", ns_->ca_file().string()},
                                         {"timeout_seconds", 5},
                                         {"max_retries", 0}}},
                                       {"agent", {{"interval_minutes", 1}, {"debounce_ms", 20}}},
                                       {"endpoint", {{"port", 0}}}};
        std::ofstream(dir_ / "psguard.json") << config.dump(2);
    }

    // One step of churn: a status flips, a package folder appears, another disappears.
    void churn(int round) {
        const int n = round % kPackages;
        std::ofstream(tree_.status() / guid(n) / "PackageStatus.xml")
            << "<PackageStatus status=\"" << (round % 3 == 0 ? "Downloading" : "Ready")
            << "\" version=\"1601867730\"/>";
        const int extra = kPackages + round % 7;
        if (round % 2 == 0) {
            tree_.add({.guid = guid(extra)});
        } else {
            fs::remove_all(tree_.delivery() / guid(extra - 1));
            fs::remove_all(tree_.status() / guid(extra - 1));
        }
    }

    TempDir dir_{"psguard-soak"};
    PackageTree tree_;
    std::optional<NsEmulator> ns_;
};

TEST_F(Soak, HundredsOfCyclesOnAChurningTreeKeepMemoryAndDescriptorsFlat) {
#if defined(__SANITIZE_THREAD__)
    GTEST_SKIP() << "ThreadSanitizer's shadow memory makes RSS meaningless here; the plain and "
                    "ASan builds run this test";
#endif
    ChildOptions options;
#if defined(__SANITIZE_ADDRESS__)
    // Without the quarantine, ASan's allocator reuses freed memory as malloc does: RSS then
    // tracks live memory and a leak still shows.
    options.environment = {
        {"ASAN_OPTIONS", "quarantine_size_mb=0:detect_leaks=1:abort_on_error=1"}};
#endif
    ChildProcess agent({PSGUARD_BINARY_PATH, "run", "--config", (dir_ / "psguard.json").string()},
                       options);
    // The endpoint's port, from the log line the agent prints at start (even at level warn).
    std::uint16_t port = 0;
    const std::regex listening("status endpoint on http://127\\.0\\.0\\.1:([0-9]+)");
    for (int i = 0; i < 200 && port == 0; ++i) {
        std::smatch match;
        const std::string log = agent.stderr_text();
        if (std::regex_search(log, match, listening)) {
            port = static_cast<std::uint16_t>(std::stoi(match[1]));
        } else {
            std::this_thread::sleep_for(50ms);
        }
    }
    ASSERT_NE(port, 0) << agent.stderr_text();
    std::string token;
    for (int i = 0; i < 100 && token.empty(); ++i) {
        std::ifstream(dir_ / "state" / "endpoint.token") >> token;
        std::this_thread::sleep_for(20ms);
    }
    ASSERT_FALSE(token.empty());

    const auto cycles = [&] {
        ClientRequest request;
        request.tls = false;
        request.port = port;
        request.target = "/metrics";
        const auto response = https_request(request);
        std::smatch match;
        const std::regex total("\npsguard_cycles_total ([0-9]+)");
        return std::regex_search(response.body, match, total) ? std::stol(match[1]) : -1L;
    };
    ClientRequest trigger;
    trigger.tls = false;
    trigger.port = port;
    trigger.method = boost::beast::http::verb::post;
    trigger.target = "/v1/check";
    trigger.headers.push_back({"Authorization", "Bearer " + token});

    long warm_rss = -1;
    long warm_fds = -1;
    long max_rss = 0;
    long max_fds = 0;
    int round = 0;
    const auto deadline = std::chrono::steady_clock::now() + 100s;
    for (long done = cycles(); done < kCycles; done = cycles()) {
        ASSERT_LT(std::chrono::steady_clock::now(), deadline)
            << "only " << done << " cycles in 100 s\n"
            << agent.stderr_text();
        ASSERT_TRUE(agent.running()) << agent.stderr_text();
        churn(round++);
        const auto answer = https_request(trigger);
        ASSERT_TRUE(answer.status == 202 || answer.status == 409) << answer.status;
        std::this_thread::sleep_for(5ms);
        if (done >= kWarmupCycles) {
            if (warm_rss < 0) {
                warm_rss = rss_kb(agent.pid());
                warm_fds = open_fds(agent.pid());
            }
            max_rss = std::max(max_rss, rss_kb(agent.pid()));
            max_fds = std::max(max_fds, open_fds(agent.pid()));
        }
    }
    // Quiet again: the last cycle (one a trigger may have started just before) finishes and its
    // connection closes. A leaked descriptor stays open for good, a busy one closes: so the
    // count is the lowest seen within 20 s (on a loaded machine one ASan cycle can take seconds).
    std::this_thread::sleep_for(500ms);
    long end_fds = open_fds(agent.pid());
    for (int i = 0; i < 200 && end_fds - warm_fds > kMaxFdGrowth; ++i) {
        std::this_thread::sleep_for(100ms);
        end_fds = std::min(end_fds, open_fds(agent.pid()));
    }
    const long end_rss = rss_kb(agent.pid());
    RecordProperty("cycles", std::to_string(cycles()));
    RecordProperty("rss_kb_after_warmup", std::to_string(warm_rss));
    RecordProperty("rss_kb_end", std::to_string(end_rss));
    RecordProperty("rss_kb_max", std::to_string(max_rss));
    RecordProperty("fds_after_warmup", std::to_string(warm_fds));
    RecordProperty("fds_end", std::to_string(end_fds));
    std::printf(
        "soak: %ld cycles over %d churn rounds; RSS %ld KB after warm-up, %ld KB at the "
        "end (max %ld); fds %ld after warm-up, %ld at the end (max %ld)\n",
        cycles(), round, warm_rss, end_rss, max_rss, warm_fds, end_fds, max_fds);
    EXPECT_LE(end_fds - warm_fds, kMaxFdGrowth);
    EXPECT_LE(end_rss - warm_rss, kMaxRssGrowthKb);

    agent.signal(SIGTERM);
    EXPECT_EQ(agent.wait(10s), 0) << agent.stderr_text();
}

}  // namespace
}  // namespace psguard::test
