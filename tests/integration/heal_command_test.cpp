// `psguard check --heal` end to end: the real binary, real files, the NS emulator over TLS.
// Every guard that can be seen from outside, nothing touched on NS faults, and SIGKILL at each
// step of an action (fault points compiled into test builds only) losing nothing.
#include <gtest/gtest.h>

#include <acl/libacl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/acl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <tuple>

#include <nlohmann/json.hpp>

#include "core/octal_mode.hpp"
#include "integration/command_outcome.hpp"
#include "integration/package_tree.hpp"
#include "support/child_process.hpp"
#include "support/ns_emulator.hpp"
#include "support/temp_dir.hpp"

namespace psguard::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Every file under `root` with its content: equal before and after means nothing was touched.
std::map<std::string, std::string> snapshot_tree(const fs::path& root) {
    std::map<std::string, std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (entry.is_regular_file()) {
            std::ifstream in(entry.path(), std::ios::binary);
            files[entry.path().lexically_relative(root).string()] =
                std::string(std::istreambuf_iterator<char>(in), {});
        }
    }
    return files;
}

std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

class HealCommand : public ::testing::Test {
  protected:
    HealCommand() : tree_(dir_ / "agent") {}

    // `total` packages Ready here; the first `stale` are Invalid on the NS, the rest Ready.
    void make_server(int total, int stale) {
        nlohmann::json rows = nlohmann::json::array();
        for (int i = 0; i < total; ++i) {
            tree_.add({.guid = package_guid(i)});
            rows.push_back({{"guid", package_guid(i)},
                            {"name", "Package " + std::to_string(i)},
                            {"status", i < stale ? "Invalid" : "Ready"},
                            {"ns_version", "1601867730"},
                            {"reported_version", "1601867730"}});
        }
        ns_.emplace(nlohmann::json{{"server", "PS01"},
                                   {"report_guid", kReportGuid},
                                   {"auth", {{"type", "none"}}},
                                   {"packages", rows},
                                   {"fault", "none"}});
    }

    nlohmann::json config(int confirm_cycles = 1) const {
        return {{"package_server", {{"name", "PS01"}}},
                {"paths",
                 {{"package_delivery", tree_.delivery().string()},
                  {"package_status", tree_.status().string()},
                  {"state_dir", state_dir().string()}}},
                {"ns",
                 {{"url", ns_->url()},
                  {"report_guid", kReportGuid},
                  {"ca_file", ns_->ca_file().string()},
                  {"timeout_seconds", 2},
                  {"max_retries", 0}}},
                // The test's own account owns the tree, so the ACL check passes.
                {"credential_account", current_user_name()},
                {"heal", {{"confirm_cycles", confirm_cycles}}}};
    }

    fs::path state_dir() const { return dir_ / "state"; }

    Outcome psguard(const nlohmann::json& cfg, std::vector<std::string> args,
                    std::vector<std::pair<std::string, std::string>> env = {}) {
        const auto file = dir_ / "psguard.json";
        std::ofstream(file) << cfg.dump(2);
        std::vector<std::string> argv = {PSGUARD_BINARY_PATH};
        argv.insert(argv.end(), args.begin(), args.end());
        argv.insert(argv.end(), {"--config", file.string()});
        Outcome outcome = run_command(std::move(argv), std::move(env));
        EXPECT_NE(outcome.exit_code, -1) << "still running after 60 s";
        return outcome;
    }

    Outcome heal(const nlohmann::json& cfg,
                 std::vector<std::pair<std::string, std::string>> env = {}) {
        return psguard(cfg, {"check", "--heal", "--json"}, std::move(env));
    }

    fs::path snapshot_of(int n) const {
        return tree_.delivery() / package_guid(n) / "snapshot.xml";
    }
    fs::path status_of(int n) const {
        return tree_.status() / package_guid(n) / "PackageStatus.xml";
    }

    TempDir dir_{"psguard-heal"};
    PackageTree tree_;
    std::optional<NsEmulator> ns_;
};

TEST_F(HealCommand, HealsOnlyConfirmedStalePackages) {
    make_server(6, 2);
    const auto cfg = config(2);
    auto first = heal(cfg);
    ASSERT_EQ(first.exit_code, 1) << first.err;
    auto report = first.json();
    EXPECT_TRUE(report["actions"].empty());
    for (const auto& package : report["packages"]) {
        if (package["verdict"] == "stale_on_ns") {
            EXPECT_EQ(package["heal"]["state"], "blocked");
            EXPECT_NE(package["heal"]["reason"].get<std::string>().find("1 of 2"),
                      std::string::npos);
        } else {
            EXPECT_EQ(package["heal"]["state"], "none");
        }
    }
    EXPECT_TRUE(fs::exists(snapshot_of(0)));

    const auto before_healthy = read(snapshot_of(3));
    auto second = heal(cfg);
    ASSERT_EQ(second.exit_code, 1) << second.err;
    report = second.json();
    ASSERT_EQ(report["actions"].size(), 2u) << report.dump(2);
    for (const auto& action : report["actions"]) {
        EXPECT_EQ(action["result"], "done");
        EXPECT_EQ(action["files"].size(), 2u);
    }
    EXPECT_FALSE(fs::exists(snapshot_of(0)));
    EXPECT_FALSE(fs::exists(status_of(0)));
    EXPECT_FALSE(fs::exists(snapshot_of(1)));
    EXPECT_TRUE(fs::exists(tree_.delivery() / package_guid(0) / "cache" / "setup.exe"));
    EXPECT_EQ(read(snapshot_of(3)), before_healthy) << "healthy packages are never touched";

    auto journal = psguard(cfg, {"journal", "--json"});
    ASSERT_EQ(journal.exit_code, 0) << journal.err;
    const auto actions = journal.json()["actions"];
    ASSERT_EQ(actions.size(), 2u);
    EXPECT_EQ(actions[0]["result"], "awaiting_verification");
    EXPECT_EQ(actions[0]["files"][0]["sha256"].get<std::string>().size(), 64u);
}

TEST_F(HealCommand, DryRunTouchesNothing) {
    make_server(6, 2);
    const auto before = snapshot_tree(tree_.delivery().parent_path());
    auto run = psguard(config(), {"check", "--heal", "--dry-run", "--json"});
    ASSERT_EQ(run.exit_code, 1) << run.err;
    const auto report = run.json();
    EXPECT_EQ(report["heal"]["dry_run"], true);
    ASSERT_EQ(report["actions"].size(), 2u);
    EXPECT_EQ(report["actions"][0]["result"], "planned");
    EXPECT_EQ(snapshot_tree(tree_.delivery().parent_path()), before);
    EXPECT_FALSE(fs::exists(state_dir() / "journal.jsonl"));
}

TEST_F(HealCommand, RestoreIsByteIdenticalThroughTheCli) {
    make_server(4, 1);
    const auto snapshot = read(snapshot_of(0));
    const auto status = read(status_of(0));
    auto run = heal(config());
    ASSERT_EQ(run.json()["actions"].size(), 1u) << run.out;
    const std::string id = run.json()["actions"][0]["id"];
    auto restored = psguard(config(), {"restore", id});
    EXPECT_EQ(restored.exit_code, 0) << restored.err;
    EXPECT_EQ(read(snapshot_of(0)), snapshot);
    EXPECT_EQ(read(status_of(0)), status);
    EXPECT_EQ(psguard(config(), {"restore", id}).exit_code, 1);
}

TEST_F(HealCommand, MassEventBreakerHealsNothing) {
    make_server(10, 6);
    const auto before = snapshot_tree(tree_.delivery().parent_path());
    auto run = heal(config());
    const auto report = run.json();
    ASSERT_TRUE(report["heal"]["breaker"].is_string()) << report.dump(2);
    EXPECT_NE(report["heal"]["breaker"].get<std::string>().find("6 of 10"), std::string::npos);
    EXPECT_TRUE(report["actions"].empty());
    EXPECT_EQ(snapshot_tree(tree_.delivery().parent_path()), before);
}

TEST_F(HealCommand, PerCycleBudgetIsRespected) {
    make_server(20, 4);
    auto cfg = config();
    cfg["heal"]["max_per_cycle"] = 3;
    const auto report = heal(cfg).json();
    EXPECT_EQ(report["actions"].size(), 3u);
    int blocked = 0;
    for (const auto& package : report["packages"]) {
        blocked += package["heal"]["state"] == "blocked";
    }
    EXPECT_EQ(blocked, 1);
}

TEST_F(HealCommand, RunsTheRefreshCommandWithoutAShell) {
    make_server(4, 1);
    auto cfg = config();
    const auto marker = dir_ / "refreshed; echo injected";
    cfg["heal"]["refresh_command"] = {"/usr/bin/touch", marker.string()};
    const auto report = heal(cfg).json();
    ASSERT_EQ(report["actions"].size(), 1u);
    EXPECT_TRUE(fs::exists(marker)) << "the argument reached touch as one argv entry";
    EXPECT_EQ(report["heal"]["refresh"], "refresh command exited 0");
}

// The whole KB procedure: stale on the NS -> files quarantined -> the (simulated) agent
// rebuilds them and re-reports -> the NS turns Ready -> the next cycle verifies the action.
TEST_F(HealCommand, HealedPackagesTurnReadyAndAreVerified) {
    make_server(6, 2);
    nlohmann::json manifest_packages = nlohmann::json::array();
    for (int i = 0; i < 6; ++i) {
        manifest_packages.push_back({{"guid", package_guid(i)},
                                     {"version", "1601867730"},
                                     {"files", {{{"name", "setup.exe"}, {"size", 1024}}}}});
    }
    const auto manifest = dir_ / "manifest.json";
    std::ofstream(manifest) << nlohmann::json{{"packages", manifest_packages}}.dump();
    auto cfg = config();
    cfg["heal"]["refresh_command"] = {PSGUARD_PS_SIMULATOR_PATH,
                                      "refresh",
                                      "--manifest",
                                      manifest.string(),
                                      "--delivery",
                                      tree_.delivery().string(),
                                      "--status",
                                      tree_.status().string(),
                                      "--ns-url",
                                      ns_->url(),
                                      "--ca-file",
                                      ns_->ca_file().string(),
                                      "--server",
                                      "PS01"};
    const auto original = read(snapshot_of(0));

    auto healing = heal(cfg);
    ASSERT_EQ(healing.exit_code, 1) << healing.err;
    auto report = healing.json();
    ASSERT_EQ(report["actions"].size(), 2u) << report.dump(2);
    EXPECT_EQ(report["heal"]["refresh"], "refresh command exited 0");

    auto verifying = heal(cfg);
    EXPECT_EQ(verifying.exit_code, 0) << verifying.out;
    report = verifying.json();
    EXPECT_EQ(report["summary"]["healthy"], 6) << report.dump(2);
    EXPECT_EQ(report["heal"]["verified"].size(), 2u);
    EXPECT_EQ(read(snapshot_of(0)), original) << "the agent rebuilt the same snapshot";

    const auto actions = psguard(cfg, {"journal", "--json"}).json()["actions"];
    ASSERT_EQ(actions.size(), 2u);
    for (const auto& action : actions) {
        EXPECT_EQ(action["result"], "verified");
    }
}

// The agent rebuilds the files but the NS never hears of it: each attempt fails verification,
// and after max_attempts the package is heal_failed until an operator resets it.
TEST_F(HealCommand, FailedVerificationsEndInHealFailedUntilReset) {
    make_server(6, 1);
    const auto agent = tree_.delivery().parent_path();
    const auto backup = dir_ / "backup";
    fs::copy(agent, backup, fs::copy_options::recursive);
    auto cfg = config();
    cfg["heal"]["verify_cycles"] = 1;
    cfg["heal"]["max_attempts"] = 2;
    cfg["heal"]["refresh_command"] = {"/bin/cp", "-a", (backup / ".").string(), agent.string()};
    const std::string id = lower(package_guid(0));

    auto state_of = [&](const nlohmann::json& report) {
        for (const auto& package : report["packages"]) {
            if (package["id"] == id) {
                return package["heal"]["state"].get<std::string>();
            }
        }
        return std::string("absent");
    };
    EXPECT_EQ(state_of(heal(cfg).json()), "done");  // attempt 1
    auto second = heal(cfg).json();                 // verify fails, attempt 2
    EXPECT_EQ(second["heal"]["verify_failed"].size(), 1u) << second.dump(2);
    EXPECT_EQ(state_of(second), "done");
    auto third = heal(cfg).json();  // verify fails again: heal_failed
    EXPECT_EQ(state_of(third), "failed") << third.dump(2);
    EXPECT_TRUE(third["actions"].empty());
    EXPECT_EQ(state_of(heal(cfg).json()), "failed") << "no more attempts";

    auto reset = psguard(cfg, {"reset", id});
    EXPECT_EQ(reset.exit_code, 0) << reset.err;
    EXPECT_EQ(state_of(heal(cfg).json()), "done") << "healed again after the reset";
}

// NS faults while heal is enabled and packages are confirmed stale: not one file touched.
class HealUnderNsFault : public HealCommand, public ::testing::WithParamInterface<std::string> {};

TEST_P(HealUnderNsFault, TouchesNothing) {
    make_server(6, 2);
    const auto root = tree_.delivery().parent_path();
    const auto before = snapshot_tree(root);
    // "delay" outlasts the 2 s timeout (slow NS); "huge_body" is 3 MiB against a 1 MiB cap.
    ns_->set_scenario(
        {{"fault", GetParam()}, {"fault_delay_ms", 4000}, {"fault_huge_bytes", 3 * 1024 * 1024}});
    auto cfg = config();
    cfg["ns"]["max_response_mb"] = 1;
    auto run = heal(cfg);
    EXPECT_NE(run.exit_code, 0);
    EXPECT_TRUE(run.json()["actions"].empty()) << run.out;
    EXPECT_EQ(snapshot_tree(root), before) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Faults, HealUnderNsFault,
                         ::testing::Values("http_500", "http_503", "http_401", "http_403", "delay",
                                           "truncated", "malformed_xml", "wrong_namespace",
                                           "missing_column", "duplicate_rows", "zero_rows",
                                           "huge_body", "wrong_host_cert"));

TEST_F(HealCommand, NsDownTouchesNothing) {
    make_server(6, 2);
    auto cfg = config();
    cfg["ns"]["url"] = "https://localhost:1";
    const auto before = snapshot_tree(tree_.delivery().parent_path());
    EXPECT_EQ(heal(cfg).exit_code, 3);
    EXPECT_EQ(snapshot_tree(tree_.delivery().parent_path()), before);
}

TEST_F(HealCommand, LinkedPackageFolderIsNeverHealed) {
    make_server(6, 1);
    // Package 0's Package Delivery folder becomes a symlink to a folder outside the root.
    const auto outside = dir_ / "outside";
    fs::create_directories(outside);
    fs::rename(tree_.delivery() / package_guid(0), outside / package_guid(0));
    fs::create_directory_symlink(outside / package_guid(0), tree_.delivery() / package_guid(0));
    const auto before_outside = snapshot_tree(outside);
    const auto report = heal(config()).json();
    EXPECT_TRUE(report["actions"].empty());
    EXPECT_EQ(snapshot_tree(outside), before_outside);
    EXPECT_TRUE(fs::is_symlink(tree_.delivery() / package_guid(0)));
}

// Item 6 of issue 13: one linked package folder is a finding about that package only. The
// ACL check does not read through it (so it cannot fail for every package), the other stale
// packages heal, and the linked folder is untouched.
TEST_F(HealCommand, ALinkedPackageFolderBlocksOnlyItself) {
    make_server(6, 3);
    const auto outside = dir_ / "outside";
    fs::create_directories(outside);
    const auto link = tree_.delivery() / package_guid(0);
    fs::rename(link, outside / package_guid(0));
    fs::create_directory_symlink(outside / package_guid(0), link);
    const auto before_outside = snapshot_tree(outside);

    auto run = heal(config());
    ASSERT_EQ(run.exit_code, 1) << run.err;
    const auto report = run.json();
    EXPECT_NE(report["diagnosis"]["cause"], "acl_missing") << report["diagnosis"].dump(2);
    ASSERT_EQ(report["actions"].size(), 2u) << report.dump(2);
    for (const auto& action : report["actions"]) {
        EXPECT_EQ(action["result"], "done") << action.dump(2);
        EXPECT_NE(action["package"], lower(package_guid(0)));
    }
    EXPECT_FALSE(fs::exists(snapshot_of(1)));
    EXPECT_FALSE(fs::exists(snapshot_of(2)));

    const std::string shown = link.string();
    bool named = false;
    for (const auto& finding : report["findings"]) {
        EXPECT_NE(finding["kind"], "acl_missing_rights") << finding.dump(2);
        named = named || (finding["kind"] == "reparse_point" && finding["path"] == shown);
    }
    EXPECT_TRUE(named) << report["findings"].dump(2);
    for (const auto& package : report["packages"]) {
        if (package["id"] == lower(package_guid(0))) {
            EXPECT_EQ(package["verdict"], "unreadable");
            EXPECT_NE(package["reason"].get<std::string>().find(shown), std::string::npos)
                << package.dump(2);
        }
    }
    bool link_entry = false;
    for (const auto& entry : report["acl"]) {
        if (entry["path"] == shown) {
            link_entry = true;
            EXPECT_TRUE(entry["ok"].is_null()) << entry.dump(2);
            EXPECT_NE(entry["not_checked"].get<std::string>().find("symlink"), std::string::npos);
        }
    }
    EXPECT_TRUE(link_entry) << report["acl"].dump(2);
    EXPECT_EQ(snapshot_tree(outside), before_outside);
    EXPECT_TRUE(fs::is_symlink(link));
}

// A root that is itself a link into an allow-listed storage root is read and healed through
// (DESIGN.md: the ITMS 8.x custom location); its link is not an ACL failure.
TEST_F(HealCommand, ARootLinkIntoAnAllowListedStorageRootIsHealedThrough) {
    make_server(6, 2);
    const auto store = dir_ / "store";
    fs::create_directories(store);
    fs::rename(tree_.delivery(), store / "Package Delivery");
    fs::create_directory_symlink(store / "Package Delivery", tree_.delivery());
    auto cfg = config();
    cfg["paths"]["storage_roots"] = {store.string()};

    auto run = heal(cfg);
    ASSERT_EQ(run.exit_code, 1) << run.err;
    const auto report = run.json();
    ASSERT_EQ(report["actions"].size(), 2u) << report.dump(2);
    for (const auto& action : report["actions"]) {
        EXPECT_EQ(action["result"], "done") << action.dump(2);
    }
    EXPECT_FALSE(fs::exists(store / "Package Delivery" / package_guid(0) / "snapshot.xml"));
    EXPECT_TRUE(fs::exists(store / "Package Delivery" / package_guid(3) / "snapshot.xml"));
    EXPECT_TRUE(fs::is_symlink(tree_.delivery()));
}

// A root that is a link outside the allow-list: nothing is read, checked or healed through it,
// the finding says so, and the ACL check does not blame the credential account for it.
TEST_F(HealCommand, ARootLinkOutsideTheAllowListIsNamedNotBlamedOnTheAcl) {
    make_server(6, 2);
    const auto elsewhere = dir_ / "elsewhere";
    fs::rename(tree_.delivery(), elsewhere);
    fs::create_directory_symlink(elsewhere, tree_.delivery());
    const auto before = snapshot_tree(elsewhere);

    auto run = heal(config());
    ASSERT_EQ(run.exit_code, 1) << run.err;
    const auto report = run.json();
    EXPECT_TRUE(report["actions"].empty()) << report.dump(2);
    EXPECT_NE(report["diagnosis"]["cause"], "acl_missing") << report["diagnosis"].dump(2);
    bool named = false;
    for (const auto& finding : report["findings"]) {
        EXPECT_NE(finding["kind"], "acl_missing_rights") << finding.dump(2);
        if (finding["kind"] == "reparse_point" && finding["path"] == tree_.delivery().string()) {
            named = true;
            EXPECT_NE(finding["detail"].get<std::string>().find("heals nothing through it"),
                      std::string::npos)
                << finding.dump(2);
        }
    }
    EXPECT_TRUE(named) << report["findings"].dump(2);
    EXPECT_EQ(snapshot_tree(elsewhere), before);
}

// Item 3 of issue 13: bytes that are not UTF-8 (in a name, in a status attribute) and control
// characters cost no report. JSON stays valid, names show their bytes escaped ("\xff"), values
// carry U+FFFD, the table escapes ESC and newlines, and a heal runs and reports.
TEST_F(HealCommand, BadBytesNeverCostTheReport) {
    make_server(6, 2);
    std::ofstream(status_of(3), std::ios::binary | std::ios::trunc)
        << "<PackageStatus status=\"Re\xFF"
           "ady\x1B[2J&#10;FORGED LINE\" version=\"1601867730\"/>";
    std::ofstream(tree_.delivery() / "stray\xFF.txt") << "x";
    std::ofstream(tree_.delivery() / package_guid(4) / "notes\xFF.txt") << "x";
    const std::string stray_shown = (tree_.delivery() / "stray\\xff.txt").string();
    const std::string status_value =
        "Re\xEF\xBF\xBD"
        "ady\x1B[2J\nFORGED LINE";

    auto check = psguard(config(), {"check", "--json"});
    ASSERT_EQ(check.exit_code, 1) << check.err;
    const auto report = check.json();  // nlohmann refuses invalid UTF-8: parsing is the test
    bool named = false;
    for (const auto& finding : report["findings"]) {
        named = named || finding["path"] == stray_shown;
    }
    EXPECT_TRUE(named) << report["findings"].dump(2);
    for (const auto& package : report["packages"]) {
        if (package["id"] == lower(package_guid(3))) {
            EXPECT_EQ(package["local"]["status"], status_value) << package.dump(2);
            EXPECT_EQ(package["verdict"], "not_ready_locally");
        }
    }

    auto table = psguard(config(), {"check"});
    EXPECT_EQ(table.exit_code, 1) << table.err;
    EXPECT_NE(table.out.find("Re\xEF\xBF\xBD"
                             "ady\\x1b[2J\\x0aFORGED LINE"),
              std::string::npos)
        << table.out;
    EXPECT_EQ(table.out.find('\x1B'), std::string::npos) << "no raw ESC reaches the console";
    EXPECT_EQ(table.out.find("\nFORGED"), std::string::npos) << "no value starts a line";
    EXPECT_NE(table.out.find("stray\\xff.txt"), std::string::npos) << table.out;

    auto healed = heal(config());
    ASSERT_EQ(healed.exit_code, 1) << healed.err;
    const auto heal_report = healed.json();
    ASSERT_EQ(heal_report["actions"].size(), 2u) << heal_report.dump(2);
    for (const auto& action : heal_report["actions"]) {
        EXPECT_EQ(action["result"], "done") << action.dump(2);
    }
    EXPECT_FALSE(fs::exists(snapshot_of(0)));
    EXPECT_TRUE(fs::exists(status_of(3)));
    EXPECT_TRUE(fs::exists(tree_.delivery() / package_guid(4) / "notes\xFF.txt"));
}

TEST_F(HealCommand, SecondPsguardIsRefusedWhileOneHeals) {
    make_server(4, 1);
    ns_->set_scenario({{"fault", "delay"}, {"fault_delay_ms", 3000}});
    const auto file = dir_ / "psguard.json";
    std::ofstream(file) << config().dump();
    ChildProcess first({PSGUARD_BINARY_PATH, "check", "--heal", "--config", file.string()});
    std::this_thread::sleep_for(800ms);  // the first one now holds the state lock
    auto second = psguard(config(), {"check", "--heal"});
    EXPECT_EQ(second.exit_code, 2);
    EXPECT_NE(second.err.find("another psguard"), std::string::npos) << second.err;
    first.wait(30s);
}

// SIGKILL at each step of an action, then a normal start: each file is in exactly one place,
// in place or in quarantine, with the content the journal recorded.
class HealCrash : public HealCommand, public ::testing::WithParamInterface<std::string> {};

TEST_P(HealCrash, LosesNothing) {
    make_server(4, 1);
    const auto snapshot = read(snapshot_of(0));
    const auto status = read(status_of(0));
    auto crashed = heal(config(), {{"PSGUARD_FAULT_POINT", GetParam()}});
    ASSERT_EQ(crashed.exit_code, 128 + SIGKILL) << "the fault point did not fire: " << crashed.out;

    // The next start recovers; the NS is unusable this time so nothing new is attempted.
    ns_->set_fault("http_503");
    auto recovered = heal(config());
    EXPECT_EQ(recovered.exit_code, 3);

    const auto actions = psguard(config(), {"journal", "--json"}).json()["actions"];
    ASSERT_EQ(actions.size(), 1u);
    const std::map<std::string, std::string> expected = {{"snapshot", snapshot},
                                                         {"package_status", status}};
    for (const auto& file : actions[0]["files"]) {
        const fs::path original = file["original"].get<std::string>();
        const fs::path quarantined = file["quarantined"].get<std::string>();
        const bool here = fs::exists(original);
        const bool there = fs::exists(quarantined);
        EXPECT_NE(here, there) << GetParam() << ": " << original << " must be in exactly one place";
        EXPECT_EQ(read(here ? original : quarantined), expected.at(file["role"]));
        EXPECT_FALSE(fs::exists(quarantined.string() + ".partial"));
    }
    const std::string result = actions[0]["result"];
    if (GetParam() == "heal:after_files_done" || GetParam() == "heal:after_package_status") {
        // Every file had reached quarantine: the heal stands (its completion recorded at start).
        EXPECT_EQ(result, "awaiting_verification");
    } else {
        EXPECT_EQ(result, "rolled_back");
        EXPECT_TRUE(fs::exists(snapshot_of(0)));
        EXPECT_TRUE(fs::exists(status_of(0)));
    }
}

// SIGKILL at every step, again and again: each run first recovers what the previous one left,
// then starts a new action and dies at the next step. After a final recovery, every file of every
// action is in exactly one place (in place or in quarantine) with its original bytes.
TEST_F(HealCommand, RepeatedKillsAtEveryStepLoseNothing) {
    make_server(20, 6);
    std::map<std::string, std::string> originals;  // path -> bytes, for every stale package
    for (int n = 0; n < 6; ++n) {
        originals[snapshot_of(n).string()] = read(snapshot_of(n));
        originals[status_of(n).string()] = read(status_of(n));
    }
    auto cfg = config();
    cfg["heal"]["max_attempts"] = 10;
    const std::vector<std::string> steps = {"heal:after_intent", "heal:after_snapshot",
                                            "heal:after_package_status", "heal:after_files_done"};
    int kills = 0;
    for (int round = 0; round < 3; ++round) {
        for (const std::string& step : steps) {
            const auto run = heal(cfg, {{"PSGUARD_FAULT_POINT", step}});
            if (run.exit_code == 128 + SIGKILL) {
                ++kills;
            } else {
                // Nothing left to heal: a normal run, which must not have failed.
                EXPECT_TRUE(run.exit_code == 0 || run.exit_code == 1) << run.err;
            }
        }
    }
    EXPECT_GE(kills, 8) << "the fault points fired too rarely for the test to mean anything";

    ns_->set_fault("http_503");
    EXPECT_EQ(heal(cfg).exit_code, 3);  // recovery only
    const auto actions = psguard(cfg, {"journal", "--json"}).json()["actions"];
    ASSERT_GE(actions.size(), static_cast<std::size_t>(kills));
    for (const auto& action : actions) {
        const std::string result = action["result"];
        EXPECT_TRUE(result == "rolled_back" || result == "awaiting_verification" ||
                    result == "done")
            << action.dump();
        for (const auto& file : action["files"]) {
            const fs::path original = file["original"].get<std::string>();
            const fs::path quarantined = file["quarantined"].get<std::string>();
            // Where this action's copy is (a later action of the same package may hold the
            // file now), it has the original bytes; that each file exists once is checked below.
            if (fs::exists(quarantined)) {
                EXPECT_EQ(read(quarantined), originals.at(original.string())) << quarantined;
            }
            if (fs::exists(original)) {
                EXPECT_EQ(read(original), originals.at(original.string())) << original;
            }
            EXPECT_FALSE(fs::exists(quarantined.string() + ".partial"));
        }
    }
    // And the whole: every original file exists exactly once, in place or in some quarantine.
    for (const auto& [path, bytes] : originals) {
        int copies = fs::exists(path) ? 1 : 0;
        for (const auto& action : actions) {
            for (const auto& file : action["files"]) {
                if (file["original"] == path &&
                    fs::exists(file["quarantined"].get<std::string>())) {
                    ++copies;
                }
            }
        }
        EXPECT_EQ(copies, 1) << path;
    }
}

INSTANTIATE_TEST_SUITE_P(EveryStep, HealCrash,
                         ::testing::Values("heal:after_intent", "heal:after_snapshot",
                                           "heal:after_package_status", "heal:after_files_done"),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                             std::string name = param_info.param.substr(5);
                             return name;
                         });

// A file's owner, group, mode and access ACL (numeric ids), as one comparable line.
std::string security_of(const fs::path& file) {
    struct stat st {};
    if (::lstat(file.c_str(), &st) != 0) {
        return "missing";
    }
    std::string acl_text = "none";
    if (acl_t acl = acl_get_file(file.c_str(), ACL_TYPE_ACCESS); acl != nullptr) {
        if (char* text = acl_to_any_text(acl, nullptr, ',', TEXT_NUMERIC_IDS); text != nullptr) {
            acl_text = text;
            acl_free(text);
        }
        acl_free(acl);
    }
    return "owner " + std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid) + " mode " +
           octal_mode(st.st_mode) + " acl " + acl_text;
}

// A small tmpfs on `at` for the test's life: a file system other than the package tree's.
class TmpfsMount {
  public:
    explicit TmpfsMount(const fs::path& at) : at_(at) {
        fs::create_directories(at);
        mounted_ = ::mount("tmpfs", at.c_str(), "tmpfs", 0, "size=8m,mode=0700") == 0;
    }
    ~TmpfsMount() {
        if (mounted_) {
            ::umount2(at_.c_str(), MNT_DETACH);
        }
    }
    TmpfsMount(const TmpfsMount&) = delete;
    TmpfsMount& operator=(const TmpfsMount&) = delete;
    bool mounted() const { return mounted_; }

  private:
    fs::path at_;
    bool mounted_ = false;
};

// The package's files as the credential account owns them on a real server: nobody:nogroup,
// 0644, with a named-user ACL entry. Through quarantine and back (restore, or the rollback of
// an action killed half-way), on the same file system or another one, they come back exactly so.
class HealKeepsSecurity
    : public HealCommand,
      public ::testing::WithParamInterface<std::tuple<const char*, const char*>> {};

TEST_P(HealKeepsSecurity, OwnerModeAndAclComeBack) {
    if (::geteuid() != 0) {
        GTEST_SKIP() << "needs root: giving the files to nobody:nogroup and mounting a tmpfs "
                        "(CI runs the suite as root)";
    }
    const auto [volume, way_back] = GetParam();
    const passwd* nobody = ::getpwnam("nobody");
    const group* nogroup = ::getgrnam("nogroup");
    ASSERT_TRUE(nobody != nullptr && nogroup != nullptr) << "no nobody:nogroup on this system";
    std::optional<TmpfsMount> other_volume;
    if (std::string_view(volume) == "other_volume") {
        other_volume.emplace(state_dir());
        ASSERT_TRUE(other_volume->mounted()) << "cannot mount a tmpfs on " << state_dir();
    }

    make_server(4, 1);
    std::map<fs::path, std::string> before;
    for (const fs::path& file : {snapshot_of(0), status_of(0)}) {
        ASSERT_EQ(::chown(file.c_str(), nobody->pw_uid, nogroup->gr_gid), 0);
        acl_t acl = acl_from_text("user::rw-,user:1234:r--,group::r--,mask::r--,other::r--");
        ASSERT_NE(acl, nullptr);
        ASSERT_EQ(acl_set_file(file.c_str(), ACL_TYPE_ACCESS, acl), 0) << file;
        acl_free(acl);
        before[file] = security_of(file);
        ASSERT_NE(before[file].find("mode 0644 acl user::rw-,user:1234:r--"), std::string::npos)
            << before[file];
    }

    if (std::string_view(way_back) == "restore") {
        auto run = heal(config());
        ASSERT_EQ(run.json()["actions"].size(), 1u) << run.out << run.err;
        const std::string id = run.json()["actions"][0]["id"];
        EXPECT_FALSE(fs::exists(snapshot_of(0)));
        auto restored = psguard(config(), {"restore", id});
        ASSERT_EQ(restored.exit_code, 0) << restored.err;
    } else {
        // Killed with the snapshot moved and PackageStatus.xml still in place: recovery rolls
        // the action back (one with every file moved would be completed, and stand).
        auto crashed = heal(config(), {{"PSGUARD_FAULT_POINT", "heal:after_snapshot"}});
        ASSERT_EQ(crashed.exit_code, 128 + SIGKILL) << "the fault point did not fire";
        ns_->set_fault("http_503");
        EXPECT_EQ(heal(config()).exit_code, 3);  // recovery only: the action is rolled back
        const auto rolled = psguard(config(), {"journal", "--json"}).json()["actions"];
        ASSERT_EQ(rolled.size(), 1u);
        EXPECT_EQ(rolled[0]["result"], "rolled_back") << rolled.dump(2);
    }
    for (const auto& [file, security] : before) {
        EXPECT_EQ(security_of(file), security) << volume << ", " << way_back << ": " << file;
    }

    // The journal keeps what the files were, for any later check.
    const auto actions = psguard(config(), {"journal", "--json"}).json()["actions"];
    ASSERT_EQ(actions.size(), 1u);
    for (const auto& file : actions[0]["files"]) {
        const auto security = file.value("security", nlohmann::json::object());
        EXPECT_EQ(security.value("owner", -1), static_cast<int>(nobody->pw_uid)) << file.dump();
        EXPECT_EQ(security.value("group", -1), static_cast<int>(nogroup->gr_gid));
        EXPECT_EQ(security.value("mode", ""), "0644");
        EXPECT_EQ(security.value("acl", ""),
                  "user::rw-,user:1234:r--,group::r--,mask::r--,other::r--");
    }
}

INSTANTIATE_TEST_SUITE_P(
    Volumes, HealKeepsSecurity,
    ::testing::Combine(::testing::Values("same_volume", "other_volume"),
                       ::testing::Values("restore", "rollback")),
    [](const ::testing::TestParamInfo<std::tuple<const char*, const char*>>& param_info) {
        return std::string(std::get<0>(param_info.param)) + "_" + std::get<1>(param_info.param);
    });

bool has_finding(const nlohmann::json& report, const std::string& kind) {
    for (const auto& finding : report["findings"]) {
        if (finding["kind"] == kind) {
            return true;
        }
    }
    return false;
}

std::vector<fs::path> files_named(const fs::path& root, const std::string& prefix_or_suffix,
                                  bool suffix) {
    std::vector<fs::path> found;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        const std::string name = it->path().filename().string();
        const bool match =
            suffix ? name.ends_with(prefix_or_suffix) : name.starts_with(prefix_or_suffix);
        if (match) {
            found.push_back(it->path());
        }
    }
    return found;
}

// A crash during an append leaves the journal's last line torn (or the file is cut mid-line):
// the next heal cuts it off first, keeping the bytes, and `journal` and `restore` keep working.
class HealTornJournal : public HealCommand, public ::testing::WithParamInterface<std::string> {};

TEST_P(HealTornJournal, IsRepairedBeforeTheNextHeal) {
    make_server(4, 2);
    auto cfg = config();
    cfg["heal"]["max_per_cycle"] = 1;
    auto first = heal(cfg);
    ASSERT_EQ(first.exit_code, 1) << first.err;
    ASSERT_EQ(first.json()["actions"].size(), 1u);

    const auto journal = state_dir() / "journal.jsonl";
    std::string torn;
    if (GetParam() == "no_newline") {
        torn = R"({"action":"x","event":"intent","fi)";
        std::ofstream(journal, std::ios::app | std::ios::binary) << torn;
    } else {  // the file cut in the middle of its last line
        const std::string text = read(journal);
        const auto last_line = text.rfind('\n', text.size() - 2) + 1;
        const auto cut = last_line + (text.size() - last_line) / 2;
        torn = text.substr(last_line, cut - last_line);
        fs::resize_file(journal, cut);
    }

    auto second = heal(cfg);
    ASSERT_EQ(second.exit_code, 1) << second.err << second.out;
    const auto report = second.json();
    ASSERT_EQ(report["actions"].size(), 1u) << report.dump(2);
    EXPECT_EQ(report["actions"][0]["result"], "done");
    EXPECT_TRUE(has_finding(report, "journal_repaired")) << report["findings"].dump(2);
    const auto side = files_named(state_dir(), "journal.torn-", false);
    ASSERT_EQ(side.size(), 1u);
    EXPECT_EQ(read(side[0]), torn);

    auto listed = psguard(cfg, {"journal", "--json"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_EQ(listed.json()["actions"].size(), 2u) << listed.out;
    for (const auto& action : report["actions"]) {
        auto restored = psguard(cfg, {"restore", action["id"].get<std::string>()});
        EXPECT_EQ(restored.exit_code, 0) << restored.err;
        for (const auto& file : action["files"]) {
            EXPECT_TRUE(fs::exists(file.get<std::string>())) << file;
        }
    }
    EXPECT_EQ(heal(cfg).exit_code, 1) << "healing goes on";
}

INSTANTIATE_TEST_SUITE_P(Torn, HealTornJournal, ::testing::Values("no_newline", "cut_mid_line"));

// A journal entry whose quarantined path points outside the quarantine (damaged, or forged by
// whoever could write the state folder): restore refuses it and moves nothing.
TEST_F(HealCommand, RestoreRefusesAJournalEntryPointingOutsideTheQuarantine) {
    make_server(4, 1);
    ASSERT_EQ(heal(config()).json()["actions"].size(), 1u);
    const auto action = psguard(config(), {"journal", "--json"}).json()["actions"][0];
    // Outside, a file with the bytes (so the hash) of the quarantined snapshot.
    auto file = action["files"][0];
    const auto outside = dir_ / "outside" / "snapshot.xml";
    fs::create_directories(outside.parent_path());
    fs::copy_file(file["quarantined"].get<std::string>(), outside);
    file["quarantined"] = outside.string();
    const std::string forged = "20261126T063000Z-6c821f5e-99";
    std::ofstream(state_dir() / "journal.jsonl", std::ios::app)
        << nlohmann::json{{"action", forged},
                          {"event", "intent"},
                          {"package", action["package"]},
                          {"mode", "quarantine"},
                          {"files", {file}},
                          {"seq", 98},
                          {"time", "2026-11-26T06:30:00Z"}}
               .dump()
        << '\n'
        << nlohmann::json{{"action", forged},
                          {"event", "files_done"},
                          {"seq", 99},
                          {"time", "2026-11-26T06:30:00Z"}}
               .dump()
        << '\n';

    auto restored = psguard(config(), {"restore", forged});
    EXPECT_EQ(restored.exit_code, 1);
    EXPECT_NE(restored.err.find("refused, nothing moved"), std::string::npos) << restored.err;
    EXPECT_TRUE(fs::exists(outside));
    EXPECT_FALSE(fs::exists(snapshot_of(0)));
}

// A full disk under the state folder, at each step of a heal in turn: the step that cannot write
// stops the action where it stands and is reported; after a normal start every file is in
// exactly one place (its package folder or the quarantine) with its bytes and metadata, and no
// ".partial" is left. The state folder is a small tmpfs filled to leave room for the steps
// before the one that must fail (as root only: it mounts).
struct FullDiskStep {
    std::string name;
    int crossing = 0;    // the journal append (1 intent, 2 and 3 file_moved, 4 files_done) that
                         // needs a new page of the file system; 0: none
    int free_pages = 0;  // pages left free for the quarantined copies and the state files
    std::string says;    // what the failing run's report says
};

void PrintTo(const FullDiskStep& step, std::ostream* out) {
    *out << step.name;
}

class HealFullDisk : public HealCommand, public ::testing::WithParamInterface<FullDiskStep> {
  protected:
    static constexpr std::uint64_t kPage = 4096;
    // Owner and mode of the package files. A file that ends in the quarantine is psguard's own
    // copy there (its owner and ACL travel in the journal), so the files start as psguard's copy
    // leaves them: this test checks place, bytes, and that owner and mode do not change.
    // HealKeepsSecurity checks an agent's file (nobody, 0644, an ACL) coming back as it was.
    static constexpr uid_t kOwner = 0;
    static constexpr fs::perms kMode = fs::perms::owner_read | fs::perms::owner_write;

    void SetUp() override {
        if (::geteuid() != 0) {
            GTEST_SKIP() << "mounting a tmpfs as the state folder needs root (CI runs as root)";
        }
        fs::create_directories(state_dir());
        if (::mount("tmpfs", state_dir().c_str(), "tmpfs", 0, "size=1m") != 0) {
            if (errno == EPERM) {
                GTEST_SKIP() << "this root may not mount (a container without CAP_SYS_ADMIN)";
            }
            return;  // mount_state() says why
        }
        mounted_ = true;
    }
    void TearDown() override { unmount(); }

    void mount_state() {
        unmount();
        fs::create_directories(state_dir());
        ASSERT_EQ(::mount("tmpfs", state_dir().c_str(), "tmpfs", 0, "size=1m,mode=0700"), 0)
            << "mount tmpfs: " << std::strerror(errno);
        mounted_ = true;
    }
    void unmount() {
        if (mounted_) {
            EXPECT_EQ(::umount2(state_dir().c_str(), MNT_DETACH), 0) << std::strerror(errno);
            mounted_ = false;
        }
    }

    // An old, finished ACL repair whose second line makes the journal exactly `bytes` long.
    void write_padding(std::uint64_t bytes) {
        const std::string id = "20200101T000000Z-acl-1";
        const std::string intent = nlohmann::json{{"action", id},
                                                  {"event", "intent"},
                                                  {"kind", "acl"},
                                                  {"mode", "acl"},
                                                  {"path", "/nonexistent"},
                                                  {"account", "nobody"},
                                                  {"descriptor", ""},
                                                  {"seq", 1},
                                                  {"time", "2020-01-01T00:00:00Z"}}
                                       .dump() +
                                   "\n";
        nlohmann::json failed = {{"action", id},
                                 {"event", "failed"},
                                 {"detail", ""},
                                 {"seq", 2},
                                 {"time", "2020-01-01T00:00:00Z"}};
        const auto base = intent.size() + failed.dump().size() + 1;
        ASSERT_GE(bytes, base);
        failed["detail"] = std::string(bytes - base, 'p');
        std::ofstream(state_dir() / "journal.jsonl", std::ios::binary)
            << intent << failed.dump() << '\n';
        ASSERT_EQ(fs::file_size(state_dir() / "journal.jsonl"), bytes);
    }

    // Takes all free space of the state folder but `pages`.
    void fill_leaving(int pages) {
        struct statvfs fs_info {};
        ASSERT_EQ(::statvfs(state_dir().c_str(), &fs_info), 0);
        const std::uint64_t free_bytes =
            static_cast<std::uint64_t>(fs_info.f_bavail) * fs_info.f_frsize;
        ASSERT_GE(free_bytes, pages * kPage);
        std::ofstream(state_dir() / "filler", std::ios::binary)
            << std::string(free_bytes - pages * kPage, 'f');
        ASSERT_EQ(::statvfs(state_dir().c_str(), &fs_info), 0);
        ASSERT_EQ(static_cast<std::uint64_t>(fs_info.f_bavail) * fs_info.f_frsize, pages * kPage);
    }

    bool mounted_ = false;
};

TEST_P(HealFullDisk, EveryFileEndsInExactlyOnePlace) {
    const FullDiskStep& step = GetParam();
    make_server(4, 1);
    const std::map<std::string, fs::path> originals = {{"snapshot", snapshot_of(0)},
                                                       {"package_status", status_of(0)}};
    for (const auto& [role, path] : originals) {
        ASSERT_EQ(::chown(path.c_str(), kOwner, kOwner), 0);
        fs::permissions(path, kMode);
    }
    const auto backup = dir_ / "backup";
    fs::create_directories(backup);
    for (const auto& [role, path] : originals) {
        fs::copy_file(path, backup / role, fs::copy_options::overwrite_existing);
    }

    // Calibration: the same heal with room to spare tells how long each journal record is.
    mount_state();
    write_padding(600);
    auto calibration = heal(config());
    ASSERT_EQ(calibration.exit_code, 1) << calibration.err;
    std::vector<std::uint64_t> lengths;  // the heal's records, newline included
    {
        std::istringstream lines(read(state_dir() / "journal.jsonl"));
        std::string line;
        for (int n = 0; std::getline(lines, line); ++n) {
            if (n >= 2) {
                lengths.push_back(line.size() + 1);
            }
        }
    }
    ASSERT_EQ(lengths.size(), 4u) << "intent, file_moved, file_moved, files_done";
    for (const auto& [role, path] : originals) {
        fs::copy_file(backup / role, path, fs::copy_options::overwrite_existing);
        ASSERT_EQ(::chown(path.c_str(), kOwner, kOwner), 0);
        fs::permissions(path, kMode);
    }
    std::map<std::string, struct stat> expected;
    for (const auto& [role, path] : originals) {
        ASSERT_EQ(::stat(path.c_str(), &expected[role]), 0);
    }

    // The run that meets a full disk at `step`.
    mount_state();
    std::uint64_t before = 0;
    for (int i = 0; i + 1 < step.crossing; ++i) {
        before += lengths[i];
    }
    // Just short of a page boundary before the crossing append, or well clear of one.
    write_padding(step.crossing > 0 ? kPage - 1 - before : 600);
    fill_leaving(step.free_pages);
    auto failing = heal(config());
    ASSERT_EQ(failing.exit_code, 1) << failing.err;
    const auto report = failing.json();
    EXPECT_NE(report.dump().find(step.says), std::string::npos)
        << "the run did not fail at " << step.name << ": " << report.dump(2);

    // A normal start, with room again (the NS is down, so it only recovers).
    fs::remove(state_dir() / "filler");
    ns_->set_fault("http_503");
    auto recovered = heal(config());
    EXPECT_EQ(recovered.exit_code, 3) << recovered.err;
    auto listed = psguard(config(), {"journal", "--json"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;

    for (const auto& [role, path] : originals) {
        std::vector<fs::path> places =
            files_named(state_dir() / "quarantine", path.filename().string(), /*suffix=*/true);
        if (fs::exists(path)) {
            places.push_back(path);
        }
        ASSERT_EQ(places.size(), 1u) << role << " must be in exactly one place";
        EXPECT_EQ(read(places[0]), read(backup / role)) << places[0];
        struct stat now {};
        ASSERT_EQ(::stat(places[0].c_str(), &now), 0);
        EXPECT_EQ(now.st_uid, expected[role].st_uid) << places[0];
        EXPECT_EQ(now.st_gid, expected[role].st_gid) << places[0];
        EXPECT_EQ(now.st_mode, expected[role].st_mode) << places[0];
    }
    EXPECT_TRUE(files_named(state_dir(), ".partial", true).empty());
    EXPECT_TRUE(files_named(tree_.delivery().parent_path(), ".partial", true).empty());
    EXPECT_TRUE(files_named(state_dir(), "journal.torn-", false).empty())
        << "a failed append leaves no fragment behind";
    // What the failing run reported stands after the next start: a heal reported done is never
    // undone (a failed files_done record once made the next start roll it back).
    for (const auto& action : report["actions"]) {
        EXPECT_EQ(fs::exists(snapshot_of(0)), action["result"] != "done") << action.dump(2);
    }
    // The journal agrees with the files. (json() is a temporary: held here, not ranged over.)
    const nlohmann::json journal_listing = listed.json();
    for (const auto& action : journal_listing["actions"]) {
        if (action["kind"] != "files") {
            continue;
        }
        const std::string result = action["result"];
        if (fs::exists(snapshot_of(0))) {
            EXPECT_TRUE(result == "failed" || result == "rolled_back") << action.dump(2);
        } else {
            EXPECT_EQ(result, "awaiting_verification") << action.dump(2);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(
    EveryStep, HealFullDisk,
    ::testing::Values(
        FullDiskStep{"intent", 1, 0, "refused: cannot write the journal"},
        FullDiskStep{"snapshot_copy", 0, 0, "failed on"},
        FullDiskStep{"snapshot_moved", 2, 1, "stopped: the journal cannot be written"},
        FullDiskStep{"status_copy", 0, 1, "failed on"},
        FullDiskStep{"status_moved", 3, 2, "the journal could not record the completion"},
        FullDiskStep{"files_done", 4, 2, "the journal could not record the completion"},
        FullDiskStep{"evidence", 0, 2, "evidence.json"},
        FullDiskStep{"history", 0, 3, "history.json"},
        FullDiskStep{"index", 0, 4, "journal.index.json"}),
    [](const ::testing::TestParamInfo<FullDiskStep>& step) { return step.param.name; });

}  // namespace
}  // namespace psguard::test
