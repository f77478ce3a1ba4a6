// The KB failure reproduced end to end, as root, with real accounts and real POSIX ACLs:
// the Package Service account ("nobody") lacks the right to write status, the simulated agent's
// status write fails and it logs the KB's access-denied lines; psguard names the cause (ACL),
// cites the log line, and blocks the heal. With the right granted, psguard heals, the agent
// rebuilds and re-reports, and the NS turns Ready.
#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

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

class KbFailure : public ::testing::Test {
  protected:
    void SetUp() override {
        if (::geteuid() != 0) {
            GTEST_SKIP() << "needs root: the agent's status write runs as the account 'nobody' "
                            "and the test sets real ACLs";
        }
        // nobody must be able to reach the tree at all (the temp folder is 0700).
        fs::permissions(dir_.path(), fs::perms::owner_all | fs::perms::others_exec,
                        fs::perm_options::replace);
        for (int i = 0; i < 6; ++i) {
            tree_.add({.guid = package_guid(i)});
        }
        fs::create_directories(dir_ / "Logs");
        nlohmann::json rows = nlohmann::json::array();
        nlohmann::json manifest = nlohmann::json::array();
        for (int i = 0; i < 6; ++i) {
            rows.push_back({{"guid", package_guid(i)},
                            {"name", "Package " + std::to_string(i)},
                            {"status", i < 2 ? "Invalid" : "Ready"},
                            {"ns_version", "1601867730"},
                            {"reported_version", "1601867730"}});
            manifest.push_back({{"guid", package_guid(i)},
                                {"version", "1601867730"},
                                {"files", {{{"name", "setup.exe"}, {"size", 1024}}}}});
        }
        ns_.emplace(nlohmann::json{{"server", "PS01"},
                                   {"report_guid", kReportGuid},
                                   {"auth", {{"type", "none"}}},
                                   {"packages", rows},
                                   {"fault", "none"}});
        std::ofstream(dir_ / "manifest.json") << nlohmann::json{{"packages", manifest}}.dump();
        const nlohmann::json config = {
            {"package_server", {{"name", "PS01"}}},
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
            {"credential_account", "nobody"},
            {"evidence", {{"log_dir", (dir_ / "Logs").string()}}},
            {"heal", {{"confirm_cycles", 1}, {"refresh_command", refresh_argv()}}}};
        std::ofstream(dir_ / "psguard.json") << config.dump(2);
    }

    std::vector<std::string> refresh_argv(std::vector<std::string> only = {}) const {
        std::vector<std::string> argv = {PSGUARD_PS_SIMULATOR_PATH,
                                         "refresh",
                                         "--manifest",
                                         (dir_ / "manifest.json").string(),
                                         "--delivery",
                                         tree_.delivery().string(),
                                         "--status",
                                         tree_.status().string(),
                                         "--ns-url",
                                         ns_->url(),
                                         "--ca-file",
                                         ns_->ca_file().string(),
                                         "--server",
                                         "PS01",
                                         "--run-as",
                                         "nobody",
                                         "--agent-log",
                                         (dir_ / "Logs" / "agent.log").string()};
        if (!only.empty()) {
            argv.push_back("--only");
            argv.insert(argv.end(), only.begin(), only.end());
        }
        return argv;
    }

    Outcome psguard(std::vector<std::string> args,
                    std::vector<std::pair<std::string, std::string>> environment = {}) const {
        std::vector<std::string> argv = {PSGUARD_BINARY_PATH};
        argv.insert(argv.end(), args.begin(), args.end());
        argv.insert(argv.end(), {"--config", (dir_ / "psguard.json").string()});
        return run_command(std::move(argv), std::move(environment));
    }

    // The ACL repair scenario: the package folders belong to the account (the agent made them),
    // the two roots do not let it write, and psguard may repair.
    void only_the_roots_lack_the_right() const {
        for (const auto& root : {tree_.delivery(), tree_.status()}) {
            for (const auto& entry : fs::directory_iterator(root)) {
                ASSERT_EQ(
                    run_command({"/bin/chown", "-R", "nobody", entry.path().string()}).exit_code,
                    0);
            }
        }
        auto config = nlohmann::json::parse(std::ifstream(dir_ / "psguard.json"));
        config["acl"] = {{"repair", true}};
        std::ofstream(dir_ / "psguard.json") << config.dump(2);
    }

    static std::string acl_of(const fs::path& folder) {
        return run_command({"/usr/bin/getfacl", "--omit-header", "--absolute-names", "--numeric",
                            folder.string()})
            .out;
    }

    TempDir dir_{"psguard-kb"};
    PackageTree tree_{dir_ / "agent"};
    std::optional<NsEmulator> ns_;
};

nlohmann::json package(const nlohmann::json& report, const std::string& id) {
    for (const auto& p : report["packages"]) {
        if (p["id"] == id) {
            return p;
        }
    }
    return nullptr;
}

TEST_F(KbFailure, AclCauseBlocksTheHealThenTheFixLetsItThrough) {
    // The agent tries to write a package's status as "nobody" and is denied.
    fs::remove(tree_.status() / package_guid(3) / "PackageStatus.xml");
    auto agent = run_command(refresh_argv({package_guid(3)}));
    ASSERT_EQ(agent.exit_code, 0) << agent.err;
    const std::string log = [&] {
        std::ifstream in(dir_ / "Logs" / "agent.log");
        return std::string(std::istreambuf_iterator<char>(in), {});
    }();
    ASSERT_NE(log.find("Cannot create directory: 0x80070005 [Access is denied]"), std::string::npos)
        << log;

    // psguard: the ACL is the cause, the log line is the evidence, nothing is healed.
    const auto before = psguard({"check", "--heal", "--json"});
    ASSERT_EQ(before.exit_code, 1) << before.err;
    const auto report = before.json();
    bool acl_failed = false;
    for (const auto& result : report["acl"]) {
        if (result["path"] == tree_.status().string()) {
            acl_failed = !result["ok"].get<bool>();
            EXPECT_NE(result["missing"].dump().find("write"), std::string::npos) << result.dump();
        }
    }
    EXPECT_TRUE(acl_failed) << report["acl"].dump(2);
    EXPECT_EQ(report["diagnosis"]["cause"], "acl_missing") << report["diagnosis"].dump(2);
    ASSERT_FALSE(report["diagnosis"]["evidence"].empty());
    const auto cited = report["evidence"][report["diagnosis"]["evidence"][0].get<std::size_t>()];
    EXPECT_NE(cited["message"].get<std::string>().find("Access is denied"), std::string::npos);
    EXPECT_NE(cited["where"].get<std::string>().find("agent.log:"), std::string::npos);
    const auto stale = package(report, lower(package_guid(0)));
    EXPECT_EQ(stale["verdict"], "stale_on_ns");
    EXPECT_NE(stale["reason"].get<std::string>().find("credential account nobody lacks"),
              std::string::npos)
        << stale["reason"];
    EXPECT_NE(stale["reason"].get<std::string>().find("heal cannot help until fixed"),
              std::string::npos);
    EXPECT_EQ(stale["heal"]["state"], "blocked");
    EXPECT_TRUE(report["actions"].empty());
    EXPECT_TRUE(fs::exists(tree_.delivery() / package_guid(0) / "snapshot.xml"));

    // The administrator grants the right (and it is inherited by new folders).
    for (const auto& root : {tree_.delivery(), tree_.status()}) {
        auto granted = run_command(
            {"/usr/bin/setfacl", "-R", "-m", "u:nobody:rwx,d:u:nobody:rwx", root.string()});
        ASSERT_EQ(granted.exit_code, 0) << granted.err;
    }

    // Now psguard heals the stale packages; the agent rebuilds and re-reports as nobody.
    const auto healing = psguard({"check", "--heal", "--json"});
    const auto healed = healing.json();
    EXPECT_EQ(healed["acl_account"]["ok"], true) << healed["acl"].dump(2);
    EXPECT_NE(healed["diagnosis"]["cause"], "acl_missing");
    ASSERT_EQ(healed["actions"].size(), 2u) << healing.out;
    EXPECT_EQ(healed["heal"]["refresh"], "refresh command exited 0");

    const auto after = psguard({"check", "--heal", "--json"});
    EXPECT_EQ(after.exit_code, 0) << after.out;
    EXPECT_EQ(after.json()["summary"]["healthy"], 6) << after.out;
    EXPECT_EQ(after.json()["heal"]["verified"].size(), 2u);
}

std::vector<nlohmann::json> repairs_with(const nlohmann::json& report, const std::string& result) {
    std::vector<nlohmann::json> found;
    for (const auto& repair : report["heal"]["acl_repairs"]) {
        if (repair["result"] == result) {
            found.push_back(repair);
        }
    }
    return found;
}

TEST_F(KbFailure, AclRepairGrantsTheRootsJournalFirstThenTheHealProceeds) {
    only_the_roots_lack_the_right();
    const std::string delivery_acl = acl_of(tree_.delivery());
    ASSERT_EQ(delivery_acl.find("user:65534:rwx"), std::string::npos) << delivery_acl;

    // A dry run says what it would grant and changes nothing.
    const auto dry = psguard({"check", "--heal", "--dry-run", "--json"}).json();
    EXPECT_EQ(repairs_with(dry, "planned").size(), 2u) << dry["heal"].dump(2);
    EXPECT_EQ(acl_of(tree_.delivery()), delivery_acl);

    // First cycle: the check fails on both roots, psguard repairs them, the heal waits.
    const auto first = psguard({"check", "--heal", "--json"});
    ASSERT_EQ(first.exit_code, 1) << first.err;
    const auto repaired = first.json();
    ASSERT_EQ(repairs_with(repaired, "done").size(), 2u) << repaired["heal"].dump(2);
    EXPECT_TRUE(repaired["actions"].empty()) << "no heal in the cycle that found the ACL broken";
    EXPECT_NE(acl_of(tree_.delivery()).find("user:65534:rwx"), std::string::npos);
    EXPECT_NE(acl_of(tree_.status()).find("default:user:65534:rwx"), std::string::npos);

    // The journal holds the saved permissions of each root, written before the change.
    const auto journal = psguard({"journal", "--json"}).json();
    std::string delivery_action;
    for (const auto& action : journal["actions"]) {
        EXPECT_EQ(action["kind"], "acl");
        EXPECT_EQ(action["result"], "awaiting_verification");
        EXPECT_EQ(action["account"], "nobody");
        EXPECT_NE(action["saved_descriptor"].get<std::string>().find("access=user::rwx"),
                  std::string::npos);
        if (action["path"] == tree_.delivery().string()) {
            delivery_action = action["id"];
        }
    }
    ASSERT_FALSE(delivery_action.empty()) << journal.dump(2);

    // Second cycle: the check passes, the repairs are verified, the stale packages healed.
    const auto second = psguard({"check", "--heal", "--json"}).json();
    EXPECT_EQ(second["acl_account"]["ok"], true) << second["acl"].dump(2);
    EXPECT_EQ(repairs_with(second, "verified").size(), 2u) << second["heal"].dump(2);
    EXPECT_EQ(second["actions"].size(), 2u) << second["heal"].dump(2);

    // The operator puts the Package Delivery root's permissions back, byte for byte.
    const auto restored = psguard({"restore", delivery_action});
    ASSERT_EQ(restored.exit_code, 0) << restored.err;
    EXPECT_EQ(acl_of(tree_.delivery()), delivery_acl);
    // ... and psguard respects that: it reports the folder again but does not repair it.
    const auto third = psguard({"check", "--heal", "--json"}).json();
    const auto skipped = repairs_with(third, "skipped");
    ASSERT_EQ(skipped.size(), 1u) << third["heal"].dump(2);
    EXPECT_NE(skipped[0]["detail"].get<std::string>().find("restored"), std::string::npos);
    EXPECT_EQ(acl_of(tree_.delivery()), delivery_acl);
}

TEST_F(KbFailure, AnAclRepairInterruptedAfterTheChangeIsRolledBackThenRedone) {
    only_the_roots_lack_the_right();
    const std::string before = acl_of(tree_.delivery());
    const auto crashed =
        psguard({"check", "--heal"}, {{"PSGUARD_FAULT_POINT", "acl_repair:after_grant"}});
    ASSERT_NE(crashed.exit_code, 0);
    ASSERT_NE(crashed.exit_code, 1) << "the fault point must have killed it: " << crashed.out;
    EXPECT_NE(acl_of(tree_.delivery()).find("user:65534:rwx"), std::string::npos)
        << "the grant happened, its outcome is not journaled";

    // Next start: recovery puts the saved permissions back, then the cycle repairs again.
    const auto next = psguard({"check", "--heal", "--json"});
    const auto report = next.json();
    ASSERT_EQ(report["heal"]["recovered"].size(), 1u) << report["heal"].dump(2);
    EXPECT_NE(report["heal"]["recovered"][0]["detail"].get<std::string>().find("put back"),
              std::string::npos);
    EXPECT_EQ(repairs_with(report, "done").size(), 2u) << report["heal"].dump(2);
    std::vector<std::string> results;
    const auto journal = psguard({"journal", "--json"}).json();
    for (const auto& action : journal["actions"]) {
        results.push_back(action["result"]);
    }
    EXPECT_EQ(results, (std::vector<std::string>{"rolled_back", "awaiting_verification",
                                                 "awaiting_verification"}));
    EXPECT_NE(before, acl_of(tree_.delivery()));
}

TEST_F(KbFailure, CheckShowsTheMissingRightInTheTable) {
    const auto table = psguard({"check"});
    EXPECT_EQ(table.exit_code, 1);
    EXPECT_NE(table.out.find("ACL for nobody"), std::string::npos) << table.out;
    EXPECT_NE(table.out.find("missing"), std::string::npos) << table.out;
    EXPECT_NE(table.out.find("missing write"), std::string::npos) << table.out;
}

TEST_F(KbFailure, AnUnresolvableAccountIsAFinding) {
    auto config = nlohmann::json::parse(std::ifstream(dir_ / "psguard.json"));
    config["credential_account"] = "no-such-user-psguard";
    std::ofstream(dir_ / "psguard.json") << config.dump();
    const auto result = psguard({"check", "--json"});
    EXPECT_EQ(result.exit_code, 1);
    bool found = false;
    const auto report = result.json();
    for (const auto& finding : report["findings"]) {
        found = found || finding["kind"] == "credential_account_unresolved";
    }
    EXPECT_TRUE(found) << result.out;
}

}  // namespace
}  // namespace psguard::test
