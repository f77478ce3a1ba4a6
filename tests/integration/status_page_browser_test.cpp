// The status page in a real browser: headless Chromium (Debian's chromium package) opens GET /
// of a real `psguard run` whose sandbox has planted verdicts (stale, version mismatch, not ready,
// a healed package in the journal, evidence behind a diagnosis), and the rendered text is
// checked. The screenshot stays in the build folder (artifacts/status-page.png) for people.
#include <gtest/gtest.h>

#include <pwd.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "integration/command_outcome.hpp"
#include "integration/package_tree.hpp"
#include "support/child_process.hpp"
#include "support/ns_emulator.hpp"
#include "support/temp_dir.hpp"

namespace psguard::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto kBrowserTimeout = 60s;  // one Chromium run, start to exit, on a loaded machine

// "May 16 11:51:05", as the Symantec agent dates its log events (local time, now).
std::string agent_log_date() {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    ::localtime_r(&now, &local);
    char text[32];
    std::strftime(text, sizeof text, "%b %d %H:%M:%S", &local);
    return text;
}

class StatusPageBrowser : public ::testing::Test {
  protected:
    StatusPageBrowser() : tree_(dir_ / "agent") {
        // 0, 1 healthy; 2, 3, 4 stale (Invalid on the NS); 5 a version behind; 6 not Ready here.
        nlohmann::json rows = nlohmann::json::array();
        for (int i = 0; i < 7; ++i) {
            tree_.add({.guid = package_guid(i),
                       .status = i == 6 ? "Downloading" : "Ready",
                       .version = i == 5 ? "1601867000" : "1601867730"});
            rows.push_back({{"guid", package_guid(i)},
                            {"name", i == 3 ? "<b>Tools & Co</b>" : "Package " + std::to_string(i)},
                            {"status", i >= 2 && i <= 4 ? "Invalid" : "Ready"},
                            {"ns_version", "1601867730"},
                            {"reported_version", "1601867730"}});
        }
        ns_.emplace(nlohmann::json{{"server", "PS01"},
                                   {"report_guid", kReportGuid},
                                   {"auth", {{"type", "none"}}},
                                   {"packages", rows},
                                   {"fault", "none"}});
        fs::create_directories(dir_ / "logs");
        std::ofstream(dir_ / "psguard.json") << config().dump(2);
    }

    // The agent's log: its status posts were refused (HTTP 401), the evidence of a credential
    // that is not applied.
    void write_agent_log() const {
        std::ofstream(dir_ / "logs" / "agent.log")
            << "<event date='" << agent_log_date()
            << "' severity='2' hostName='PS01' source='EventTransport' module='AeXNSAgent.exe' "
               "process='AeXNSAgent.exe' pid='724' thread='1740' tickCount='495844843' > "
               "<![CDATA[Failed to post event: The remote server returned an error: (401) "
               "Unauthorized.]]></event>\n";
    }

    nlohmann::json config() const {
        return {{"package_server", {{"name", "PS01"}}},
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
                {"credential_account", current_user_name()},
                {"evidence", {{"log_dir", (dir_ / "logs").string()}}},
                {"heal", {{"confirm_cycles", 1}, {"max_per_cycle", 1}}},
                {"agent", {{"interval_minutes", 60}}},
                {"endpoint", {{"port", 0}}}};
    }

    // Chromium, headless, with a new empty profile and nothing that phones home; bounded in time.
    Outcome chromium(const std::vector<std::string>& mode, const std::string& url) const {
        const TempDir profile("psguard-chromium");
        std::vector<std::string> argv = {"chromium",
                                         "--headless",
                                         "--no-sandbox",
                                         "--disable-gpu",
                                         "--disable-quic",
                                         "--no-first-run",
                                         "--disable-background-networking",
                                         "--disable-component-update",
                                         "--disable-sync",
                                         "--user-data-dir=" + profile.path().string(),
                                         "--window-size=1280,1700"};
        argv.insert(argv.end(), mode.begin(), mode.end());
        argv.push_back(url);
        return run_command(argv, {}, kBrowserTimeout);
    }

    TempDir dir_{"psguard-page"};
    PackageTree tree_;
    std::optional<NsEmulator> ns_;
};

TEST_F(StatusPageBrowser, ChromiumShowsThePlantedVerdictsTheDiagnosisAndTheJournal) {
    // One heal first (max_per_cycle 1): the journal then holds an action to restore. The agent's
    // log is written after it: the diagnosis it leads to would block the heal.
    const auto file = (dir_ / "psguard.json").string();
    const auto healed =
        run_command({PSGUARD_BINARY_PATH, "check", "--heal", "--json", "--config", file});
    ASSERT_EQ(healed.exit_code, 1) << healed.out << healed.err;
    ASSERT_EQ(healed.json()["actions"].size(), 1u) << healed.out;
    const std::string action = healed.json()["actions"][0]["id"];
    write_agent_log();

    ChildProcess agent({PSGUARD_BINARY_PATH, "run", "--config", file});
    const std::string marker = "status endpoint on http://127.0.0.1:";
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (agent.stderr_text().find("cycle (start)") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(50ms);
    }
    const std::string log = agent.stderr_text();
    ASSERT_NE(log.find("cycle (start)"), std::string::npos) << log;
    const auto at = log.find(marker);
    ASSERT_NE(at, std::string::npos) << log;
    const std::string url =
        "http://127.0.0.1:" + std::to_string(std::stoi(log.substr(at + marker.size()))) + "/";

    const auto dom = chromium({"--dump-dom"}, url);
    ASSERT_EQ(dom.exit_code, 0) << "chromium (Debian's chromium package; scripts/install-deps.sh) "
                                   "did not render the page within "
                                << kBrowserTimeout.count() << " s\n"
                                << dom.err;
    const std::string& page = dom.out;
    for (const std::string& expected :
         {std::string("<h1>psguard on PS01</h1>"), std::string("answered, report usable"),
          std::string(">stale_on_ns</span>, 2 packages: Ready here, Invalid on the NS"),
          std::string(">version_mismatch</span>, 1 package: this Package Server holds version "
                      "1601867000, the NS distributes 1601867730"),
          std::string(">not_ready_locally</span>"), std::string(">healthy</span>, 2 packages"),
          lower(package_guid(3)), std::string("&lt;b&gt;Tools &amp; Co&lt;/b&gt;"),
          std::string(">credential_not_applied</span>"), std::string("(401) Unauthorized."),
          std::string("<code class=\"copy\">psguard restore " + action + "</code>")}) {
        EXPECT_NE(page.find(expected), std::string::npos) << expected << "\n" << page;
    }
    // The planted name is text, not markup, and the page ran no script of its own.
    EXPECT_EQ(page.find("<b>Tools"), std::string::npos);
    EXPECT_EQ(page.find("<script"), std::string::npos);
    // Stale packages come first.
    EXPECT_LT(page.find(">stale_on_ns<"), page.find(">version_mismatch<"));
    EXPECT_LT(page.find(">version_mismatch<"), page.find(">healthy<"));

    const fs::path screenshot = fs::path(PSGUARD_ARTIFACT_DIR) / "status-page.png";
    fs::create_directories(screenshot.parent_path());
    fs::remove(screenshot);
    const auto shot = chromium({"--screenshot=" + screenshot.string()}, url);
    ASSERT_EQ(shot.exit_code, 0) << shot.err;
    std::ifstream png(screenshot, std::ios::binary);
    std::string signature(8, '\0');
    png.read(signature.data(), 8);
    EXPECT_EQ(signature, "\x89PNG\r\n\x1a\n") << screenshot;
    EXPECT_GT(fs::file_size(screenshot), 10'000u) << screenshot;
    agent.stop();
}

}  // namespace
}  // namespace psguard::test
