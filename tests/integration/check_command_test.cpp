// `psguard check` end to end: the real binary, a real package tree on disk, the real NS emulator
// over TLS with a CA made for the test. Nothing is mocked.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "integration/command_outcome.hpp"
#include "integration/package_tree.hpp"
#include "support/child_process.hpp"
#include "support/ns_emulator.hpp"
#include "support/temp_dir.hpp"

namespace psguard::test {
namespace {

using namespace std::chrono_literals;

const std::string kStale = "{6C821F5E-1234-4ABC-9DEF-0123456789AB}";
const std::string kHealthy = "{6d417916-1234-4abc-9def-0123456789ab}";
const std::string kPending = "{0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9}";
const std::string kMismatch = "{22222222-3333-4444-8555-666666666666}";
const std::string kNotReady = "{33333333-4444-4555-8666-777777777777}";
const std::string kMissing = "{44444444-5555-4666-8777-888888888888}";
const std::string kUnknown = "{55555555-6666-4777-8888-999999999999}";
const std::string kUnreadable = "{66666666-7777-4888-8999-aaaaaaaaaaaa}";

nlohmann::json ns_row(const std::string& guid, const std::string& status,
                      const std::string& version = "1601867730") {
    return {{"guid", guid},
            {"name", "Package " + guid.substr(1, 8)},
            {"status", status},
            {"ns_version", version},
            {"reported_version", version}};
}

nlohmann::json scenario(nlohmann::json packages) {
    return {{"server", "PS01"},
            {"report_guid", kReportGuid},
            {"auth", {{"type", "none"}}},
            {"packages", std::move(packages)},
            {"fault", "none"}};
}

struct RunResult {
    int exit_code = -1;
    std::string out;
    std::string err;
    nlohmann::json json() const { return nlohmann::json::parse(out); }
};

class CheckCommand : public ::testing::Test {
  protected:
    CheckCommand() : tree_(dir_.path()) {}

    nlohmann::json config_for(const NsEmulator& ns) const {
        return {{"package_server", {{"name", "PS01"}}},
                {"paths",
                 {{"package_delivery", tree_.delivery().string()},
                  {"package_status", tree_.status().string()},
                  {"state_dir", (dir_ / "state").string()}}},
                {"ns",
                 {{"url", ns.url()},
                  {"report_guid", kReportGuid},
                  {"ca_file", ns.ca_file().string()},
                  {"timeout_seconds", 3},
                  {"max_retries", 0},
                  {"retry_backoff_ms", 50}}}};
    }

    RunResult run(const nlohmann::json& config, std::vector<std::string> extra = {"--json"}) {
        const auto file = dir_ / "psguard.json";
        std::ofstream(file) << config.dump(2);
        std::vector<std::string> argv = {PSGUARD_BINARY_PATH, "check", "--config", file.string()};
        argv.insert(argv.end(), extra.begin(), extra.end());
        return run_argv(std::move(argv));
    }

    static RunResult run_argv(std::vector<std::string> argv) {
        ChildProcess process(std::move(argv));
        const auto code = process.wait(60s);
        EXPECT_TRUE(code.has_value()) << "psguard did not finish";
        return RunResult{code.value_or(-1), process.stdout_text(), process.stderr_text()};
    }

    TempDir dir_{"psguard-check"};
    PackageTree tree_;
};

std::map<std::string, nlohmann::json> by_id(const nlohmann::json& report) {
    std::map<std::string, nlohmann::json> packages;
    for (const auto& package : report["packages"]) {
        packages[package["id"].get<std::string>()] = package;
    }
    return packages;
}

TEST_F(CheckCommand, GivesOneVerdictPerPackage) {
    tree_.add({.guid = kStale});
    tree_.add({.guid = kHealthy, .element_form = true});
    tree_.add({.guid = kPending});
    tree_.add({.guid = kMismatch, .version = "1601867000"});
    tree_.add({.guid = kNotReady, .status = "Downloading"});
    tree_.add({.guid = kUnknown});
    tree_.add({.guid = kUnreadable});
    tree_.write_snapshot(kUnreadable, "<snapshot version=\"1\"><file name=\"a\"");
    NsEmulator ns(
        scenario({ns_row(kStale, "Invalid"), ns_row(kHealthy, "Ready"), ns_row(kPending, "Pending"),
                  ns_row(kMismatch, "Invalid"), ns_row(kNotReady, "Invalid"),
                  ns_row(kMissing, "Ready"), ns_row(kUnreadable, "Invalid")}));

    const auto result = run(config_for(ns));
    ASSERT_EQ(result.exit_code, 1) << result.err;
    const auto report = result.json();
    EXPECT_EQ(report["server"], "PS01");
    EXPECT_EQ(report["ns"]["reachable"], true);
    EXPECT_EQ(report["ns"]["rows"], 7);
    EXPECT_TRUE(report["ns"]["error"].is_null());

    auto packages = by_id(report);
    ASSERT_EQ(packages.size(), 8u) << report.dump(2);
    EXPECT_EQ(packages[lower(kStale)]["verdict"], "stale_on_ns");
    EXPECT_EQ(packages[lower(kStale)]["local"]["status"], "Ready");
    EXPECT_EQ(packages[lower(kStale)]["ns"]["status"], "Invalid");
    EXPECT_EQ(packages[lower(kStale)]["name"], "Package 6C821F5E");
    EXPECT_EQ(packages[lower(kHealthy)]["verdict"], "healthy");
    EXPECT_EQ(packages[lower(kPending)]["verdict"], "pending_on_ns");
    EXPECT_EQ(packages[lower(kMismatch)]["verdict"], "version_mismatch");
    EXPECT_EQ(packages[lower(kNotReady)]["verdict"], "not_ready_locally");
    EXPECT_EQ(packages[lower(kMissing)]["verdict"], "missing_locally");
    EXPECT_TRUE(packages[lower(kMissing)]["local"].is_null());
    EXPECT_EQ(packages[lower(kUnknown)]["verdict"], "unknown_to_ns");
    EXPECT_TRUE(packages[lower(kUnknown)]["ns"].is_null());
    EXPECT_EQ(packages[lower(kUnreadable)]["verdict"], "unreadable");
    EXPECT_NE(packages[lower(kUnreadable)]["reason"].get<std::string>().find("snapshot.xml"),
              std::string::npos);
    for (const auto& [id, package] : packages) {
        EXPECT_FALSE(package["reason"].get<std::string>().empty()) << id;
    }
    EXPECT_EQ(report["summary"]["stale_on_ns"], 1);
    EXPECT_EQ(report["summary"]["healthy"], 1);
    EXPECT_EQ(report["summary"]["unreadable"], 1);
}

TEST_F(CheckCommand, AllHealthyExitsZeroAndPrintsATable) {
    tree_.add({.guid = kHealthy});
    tree_.add({.guid = kStale, .status = "READY"});
    NsEmulator ns(scenario({ns_row(kHealthy, "Ready"), ns_row(kStale, "Codebase Enabled")}));
    const auto result = run(config_for(ns), {});
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_NE(result.out.find("Summary:   2 packages: 2 healthy"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("No package needs attention (--all lists every package)."),
              std::string::npos)
        << result.out;
    EXPECT_EQ(result.out.find(lower(kHealthy)), std::string::npos) << result.out;
    const auto all = run(config_for(ns), {"--all"});
    EXPECT_NE(all.out.find("All 2 packages:"), std::string::npos) << all.out;
    EXPECT_NE(all.out.find("  " + lower(kHealthy)), std::string::npos) << all.out;
}

// Colour only for a terminal (a real pseudo-terminal through script(1)), never with NO_COLOR,
// never into a pipe.
TEST_F(CheckCommand, TheTableIsColouredOnlyOnATerminalWithoutNoColor) {
    tree_.add({.guid = kStale});
    NsEmulator ns(scenario({ns_row(kStale, "Invalid")}));
    const auto piped = run(config_for(ns), {});
    EXPECT_EQ(piped.exit_code, 1);
    EXPECT_NE(piped.out.find("stale_on_ns, 1 package: Ready here, Invalid on the NS"),
              std::string::npos)
        << piped.out;
    EXPECT_EQ(piped.out.find('\x1b'), std::string::npos) << piped.out;

    const auto file = (dir_ / "psguard.json").string();
    const std::string command = std::string(PSGUARD_BINARY_PATH) + " check --config " + file;
    const auto terminal = [&](std::vector<std::pair<std::string, std::string>> env) {
        ChildOptions options;
        options.environment = std::move(env);
        options.environment.emplace_back("TERM", "xterm");
        ChildProcess process({"script", "-qec", command, "/dev/null"}, options);
        EXPECT_EQ(process.wait(60s), 1) << process.stdout_text() << process.stderr_text();
        return process.stdout_text();
    };
    const std::string coloured = terminal({{"NO_COLOR", ""}});
    EXPECT_NE(coloured.find("\x1b[31mstale_on_ns\x1b[0m"), std::string::npos) << coloured;
    const std::string plain = terminal({{"NO_COLOR", "1"}});
    EXPECT_NE(plain.find("stale_on_ns, 1 package"), std::string::npos) << plain;
    EXPECT_EQ(plain.find('\x1b'), std::string::npos) << plain;
}

TEST_F(CheckCommand, SendsTheReportRequestTheNsExpects) {
    tree_.add({.guid = kHealthy});
    NsEmulator ns(scenario({ns_row(kHealthy, "Ready")}));
    ASSERT_EQ(run(config_for(ns)).exit_code, 0);
    const auto requests = ns.requests();
    ASSERT_GE(requests["count"].get<int>(), 1) << requests.dump(2);
    const auto& last = requests["requests"].back();
    EXPECT_EQ(last["method"], "POST");
    EXPECT_EQ(last["path"], std::string(NsEmulator::kReportPath));
    EXPECT_EQ(last["form"]["reportItemGuid"], kReportGuid);
    EXPECT_EQ(last["form"]["nameValuePairs"], "PackageServer=PS01");
}

TEST_F(CheckCommand, ZeroRowsIsReportedNeverHealthy) {
    tree_.add({.guid = kHealthy});
    NsEmulator ns(scenario({ns_row(kHealthy, "Ready")}));
    ns.set_fault("zero_rows");
    const auto result = run(config_for(ns));
    ASSERT_EQ(result.exit_code, 1) << result.err;
    const auto report = result.json();
    EXPECT_EQ(report["ns"]["rows"], 0);
    EXPECT_EQ(by_id(report)[lower(kHealthy)]["verdict"], "unknown_to_ns");
    bool reported = false;
    for (const auto& finding : report["findings"]) {
        reported = reported || finding["kind"] == "ns_lists_no_package";
    }
    EXPECT_TRUE(reported) << report.dump(2);
}

// The whole verdict matrix in every wrapping the NS answer comes in (the default, <NewDataSet>,
// is the ASDK's documented one), with NULL cells in every optional column and the NS's status
// words in other cases and with blanks.
class CheckCommandAnswerShape : public CheckCommand,
                                public ::testing::WithParamInterface<std::string> {};

TEST_P(CheckCommandAnswerShape, GivesTheSameVerdicts) {
    const std::string kNeverReported = "{77777777-8888-4999-8aaa-bbbbbbbbbbbb}";
    const std::string kDeletedHere = "{88888888-9999-4aaa-8bbb-cccccccccccc}";
    const std::string kDeletedOnNs = "{99999999-aaaa-4bbb-8ccc-dddddddddddd}";
    const std::string kOddStatus = "{aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee}";
    tree_.add({.guid = kStale});
    tree_.add({.guid = kHealthy, .element_form = true});
    tree_.add({.guid = kPending});
    tree_.add({.guid = kMismatch, .version = "1601867000"});
    tree_.add({.guid = kNotReady, .status = "Downloading"});
    tree_.add({.guid = kUnknown});
    tree_.add({.guid = kNeverReported});
    tree_.add({.guid = kDeletedHere, .status = "Deleted"});
    tree_.add({.guid = kDeletedOnNs});
    tree_.add({.guid = kOddStatus});

    auto never_reported = ns_row(kNeverReported, "Invalid");
    never_reported["reported_version"] = nullptr;  // the Package Server never reported
    never_reported["name"] = nullptr;
    never_reported["server"] = nullptr;
    auto pending = ns_row(kPending, "  download PENDING ");
    pending["ns_version"] = nullptr;
    auto stale = ns_row(kStale, "invalid");
    stale["error"] =
        "The trust relationship between this workstation and the primary domain "
        "failed(1789).";
    auto scene =
        scenario({stale, ns_row(kHealthy, " Ready "), pending, ns_row(kMismatch, "Invalid"),
                  ns_row(kNotReady, "Invalid"), ns_row(kMissing, "Ready"), never_reported,
                  ns_row(kDeletedHere, "Invalid"), ns_row(kDeletedOnNs, "Deleted"),
                  ns_row(kOddStatus, "Quarantined")});
    scene["answer_shape"] = GetParam();
    scene["error_column"] = true;
    NsEmulator ns(scene);
    auto config = config_for(ns);

    const auto result = run(config);
    ASSERT_EQ(result.exit_code, 1) << GetParam() << "\n" << result.err;
    const auto report = result.json();
    EXPECT_EQ(report["ns"]["usable"], true) << report["ns"].dump();
    EXPECT_EQ(report["ns"]["rows"], 10);
    auto packages = by_id(report);
    ASSERT_EQ(packages.size(), 11u) << report.dump(2);
    EXPECT_EQ(packages[lower(kStale)]["verdict"], "stale_on_ns");
    EXPECT_NE(packages[lower(kStale)]["reason"].get<std::string>().find("failed(1789)"),
              std::string::npos)
        << packages[lower(kStale)].dump();
    EXPECT_EQ(packages[lower(kHealthy)]["verdict"], "healthy");
    EXPECT_EQ(packages[lower(kPending)]["verdict"], "pending_on_ns");
    EXPECT_EQ(packages[lower(kMismatch)]["verdict"], "version_mismatch");
    EXPECT_EQ(packages[lower(kNotReady)]["verdict"], "not_ready_locally");
    EXPECT_EQ(packages[lower(kMissing)]["verdict"], "missing_locally");
    EXPECT_EQ(packages[lower(kUnknown)]["verdict"], "unknown_to_ns");
    EXPECT_EQ(packages[lower(kNeverReported)]["verdict"], "stale_on_ns");
    EXPECT_TRUE(packages[lower(kNeverReported)]["ns"]["reported_version"].is_null());
    EXPECT_EQ(packages[lower(kDeletedHere)]["verdict"], "deleted");
    EXPECT_EQ(packages[lower(kDeletedOnNs)]["verdict"], "deleted");
    EXPECT_EQ(packages[lower(kOddStatus)]["verdict"], "unrecognised_ns_status");
    EXPECT_EQ(packages[lower(kOddStatus)]["ns"]["status"], "Quarantined");

    // The NS's error text is evidence, with the kind its signature names.
    bool cited = false;
    for (const auto& item : report["evidence"]) {
        cited = cited || (item["source"] == "NS" && item["package"] == lower(kStale) &&
                          item["kind"] == "trust_failure");
    }
    EXPECT_TRUE(cited) << report["evidence"].dump(2);
}

INSTANTIATE_TEST_SUITE_P(Shapes, CheckCommandAnswerShape,
                         ::testing::Values("new_dataset", "dataset_diffgram", "dataset_plain",
                                           "soap11", "soap12"));

TEST_F(CheckCommand, DeletedPackagesAloneAreNoFinding) {
    tree_.add({.guid = kHealthy});
    tree_.add({.guid = kStale, .status = "Deleted"});
    NsEmulator ns(scenario({ns_row(kHealthy, "Ready")}));
    const auto result = run(config_for(ns));
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_EQ(by_id(result.json())[lower(kStale)]["verdict"], "deleted");
}

// Every NS fault: exit 3, and no verdict that depends on NS data.
class CheckCommandNsFault : public CheckCommand,
                            public ::testing::WithParamInterface<std::string> {};

TEST_P(CheckCommandNsFault, ExitsThreeWithoutInventedVerdicts) {
    tree_.add({.guid = kStale});
    tree_.add({.guid = kHealthy});
    tree_.add({.guid = kNotReady, .status = "Downloading"});
    auto packages = nlohmann::json::array(
        {ns_row(kStale, "Invalid"), ns_row(kHealthy, "Ready"), ns_row(kNotReady, "Invalid")});
    auto scene = scenario(packages);
    scene["fault"] = GetParam();
    scene["fault_delay_ms"] = 5000;
    scene["fault_huge_bytes"] = 4 * 1024 * 1024;
    NsEmulator ns(scene);
    auto config = config_for(ns);
    config["ns"]["timeout_seconds"] = 2;
    config["ns"]["max_response_mb"] = 1;

    const auto result = run(config);
    ASSERT_EQ(result.exit_code, 3) << GetParam() << "\n" << result.out << result.err;
    const auto report = result.json();
    EXPECT_FALSE(report["ns"]["error"].get<std::string>().empty());
    EXPECT_TRUE(report["ns"]["rows"].is_null());
    EXPECT_TRUE(report["summary"].size() <= 1) << report.dump(2);
    for (const auto& package : report["packages"]) {
        EXPECT_TRUE(package["ns"].is_null()) << package.dump();
        if (package["id"] == lower(kNotReady)) {
            EXPECT_EQ(package["verdict"], "not_ready_locally");  // a purely local fact
        } else {
            EXPECT_TRUE(package["verdict"].is_null()) << package.dump();
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Faults, CheckCommandNsFault,
                         ::testing::Values("http_500", "http_503", "http_401", "http_403", "delay",
                                           "truncated", "malformed_xml", "wrong_namespace",
                                           "missing_column", "duplicate_rows", "huge_body",
                                           "wrong_host_cert", "empty_body", "errors_answer",
                                           "html_page", "soap_fault"));

TEST_F(CheckCommand, CredentialRefusalIsNamed) {
    tree_.add({.guid = kHealthy});
    auto scene = scenario({ns_row(kHealthy, "Ready")});
    scene["fault"] = "http_401";
    NsEmulator ns(scene);
    const auto report = run(config_for(ns)).json();
    EXPECT_EQ(report["ns"]["failure"], "credential");
    EXPECT_NE(report["ns"]["error"].get<std::string>().find("credentials"), std::string::npos);
}

TEST_F(CheckCommand, NsDownIsExitThree) {
    tree_.add({.guid = kHealthy});
    nlohmann::json config;
    {
        NsEmulator ns(scenario({ns_row(kHealthy, "Ready")}));
        config = config_for(ns);
    }                               // stopped: nothing listens on its port any more
    config["ns"].erase("ca_file");  // went with the emulator's folder
    const auto result = run(config);
    EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
    EXPECT_EQ(result.json()["ns"]["reachable"], false);
    EXPECT_EQ(result.json()["ns"]["failure"], "unreachable");
}

TEST_F(CheckCommand, UntrustedCertificateIsRefused) {
    tree_.add({.guid = kHealthy});
    NsEmulator ns(scenario({ns_row(kHealthy, "Ready")}));
    auto config = config_for(ns);
    config["ns"].erase("ca_file");  // the test CA is not in the system store
    const auto result = run(config);
    EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
    EXPECT_EQ(result.json()["ns"]["failure"], "unreachable");
    EXPECT_NE(result.json()["ns"]["error"].get<std::string>().find("TLS"), std::string::npos)
        << result.out;
}

TEST_F(CheckCommand, RetriesFiveHundredsThenSucceeds) {
    tree_.add({.guid = kHealthy});
    auto scene = scenario({ns_row(kHealthy, "Ready")});
    scene["fault"] = "fail_first_n";
    scene["fault_count"] = 2;
    NsEmulator ns(scene);
    auto config = config_for(ns);
    config["ns"]["max_retries"] = 2;
    const auto result = run(config);
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_EQ(result.json()["ns"]["attempts"], 3);
}

TEST_F(CheckCommand, RetriesAreBounded) {
    tree_.add({.guid = kHealthy});
    auto scene = scenario({ns_row(kHealthy, "Ready")});
    scene["fault"] = "http_503";
    NsEmulator ns(scene);
    auto config = config_for(ns);
    config["ns"]["max_retries"] = 2;
    const auto result = run(config);
    EXPECT_EQ(result.exit_code, 3);
    EXPECT_EQ(result.json()["ns"]["attempts"], 3);
    EXPECT_EQ(ns.requests()["count"], 3);
}

TEST_F(CheckCommand, BasicAuthOverTls) {
    tree_.add({.guid = kHealthy});
    auto scene = scenario({ns_row(kHealthy, "Ready")});
    scene["auth"] = {{"type", "basic"}, {"username", "svc-psguard"}, {"password", "s3cr&t:pw"}};
    NsEmulator ns(scene);
    const auto password_file = dir_ / "ns-password.txt";
    std::ofstream(password_file) << "s3cr&t:pw\n";
    ::chmod(password_file.c_str(), 0600);  // administrators only, as psguard requires
    auto config = config_for(ns);
    config["ns"]["auth"] = {
        {"type", "basic"}, {"username", "svc-psguard"}, {"password_file", password_file.string()}};
    const auto good = run(config);
    EXPECT_EQ(good.exit_code, 0) << good.out << good.err;
    EXPECT_EQ(good.out.find("s3cr&t"), std::string::npos);
    EXPECT_EQ(good.err.find("s3cr&t"), std::string::npos);

    std::ofstream(password_file) << "wrong\n";
    const auto bad = run(config);
    EXPECT_EQ(bad.exit_code, 3);
    EXPECT_EQ(bad.json()["ns"]["failure"], "credential");
}

TEST_F(CheckCommand, BadConfigurationIsExitTwoNamingTheField) {
    NsEmulator ns(scenario(nlohmann::json::array()));
    auto config = config_for(ns);
    config["ns"]["timeout_seconds"] = "soon";
    const auto result = run(config);
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find("ns.timeout_seconds"), std::string::npos) << result.err;
    EXPECT_TRUE(result.out.empty());
}

TEST_F(CheckCommand, ValidateConfigUsesTheSameRules) {
    NsEmulator ns(scenario(nlohmann::json::array()));
    const auto file = dir_ / "psguard.json";
    std::ofstream(file) << config_for(ns).dump();
    auto ok = run_argv({PSGUARD_BINARY_PATH, "validate-config", "--config", file.string()});
    EXPECT_EQ(ok.exit_code, 0) << ok.err;
    EXPECT_NE(ok.out.find("configuration valid"), std::string::npos);

    auto broken = config_for(ns);
    broken["paths"]["unknown"] = 1;
    std::ofstream(file) << broken.dump();
    auto bad = run_argv({PSGUARD_BINARY_PATH, "validate-config", "--config", file.string()});
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.err.find("paths.unknown: unknown key"), std::string::npos) << bad.err;

    auto missing_secret = config_for(ns);
    missing_secret["ns"]["auth"] = {
        {"type", "basic"}, {"username", "u"}, {"password_file", (dir_ / "nope.txt").string()}};
    std::ofstream(file) << missing_secret.dump();
    auto no_secret = run_argv({PSGUARD_BINARY_PATH, "validate-config", "--config", file.string()});
    EXPECT_EQ(no_secret.exit_code, 2);
    EXPECT_NE(no_secret.err.find("ns.auth.password_file"), std::string::npos) << no_secret.err;
}

// validate-config refuses what the service would: a token file (the endpoint's start) or a
// password file (the NS client) that others may read; the fix is in the message.
TEST_F(CheckCommand, ValidateConfigRefusesSecretFilesOthersMayRead) {
    NsEmulator ns(scenario(nlohmann::json::array()));
    const auto file = dir_ / "psguard.json";
    const auto validate = [&](const nlohmann::json& config) {
        std::ofstream(file, std::ios::trunc) << config.dump();
        return run_argv({PSGUARD_BINARY_PATH, "validate-config", "--config", file.string()});
    };

    const auto token = dir_ / "endpoint.token";
    std::ofstream(token) << "0123456789abcdef0123456789abcdef\n";
    ::chmod(token.c_str(), 0644);
    auto with_token = config_for(ns);
    with_token["endpoint"] = {{"token_file", token.string()}};
    auto open_token = validate(with_token);
    EXPECT_EQ(open_token.exit_code, 2) << open_token.out;
    EXPECT_NE(open_token.err.find("endpoint.token_file: "), std::string::npos) << open_token.err;
    EXPECT_NE(open_token.err.find("chmod 600 '" + token.string() + "'"), std::string::npos)
        << open_token.err;
    ::chmod(token.c_str(), 0600);
    EXPECT_EQ(validate(with_token).exit_code, 0);

    const auto password = dir_ / "ns-password";
    std::ofstream(password) << "Hunter2-secret\n";
    ::chmod(password.c_str(), 0644);
    auto with_password = config_for(ns);
    with_password["ns"]["auth"] = {
        {"type", "basic"}, {"username", "svc"}, {"password_file", password.string()}};
    auto open_password = validate(with_password);
    EXPECT_EQ(open_password.exit_code, 2) << open_password.out;
    EXPECT_NE(open_password.err.find("ns.auth.password_file: "), std::string::npos)
        << open_password.err;
    EXPECT_NE(open_password.err.find("read the password; run: chmod 600 '" + password.string()),
              std::string::npos)
        << open_password.err;
    EXPECT_EQ((open_password.out + open_password.err).find("Hunter2"), std::string::npos);
    ::chmod(password.c_str(), 0600);
    EXPECT_EQ(validate(with_password).exit_code, 0);
}

// A URL with user information is refused by every command, from the file or --set, and the
// password in it appears nowhere in what psguard prints.
TEST_F(CheckCommand, UrlWithUserInformationIsRefusedAndNeverEchoed) {
    NsEmulator ns(scenario(nlohmann::json::array()));
    const std::string url = "https://svc-psguard:Hunter2-secret@ns01.example.com";
    const auto file = dir_ / "psguard.json";
    auto in_file = config_for(ns);
    in_file["ns"]["url"] = url;
    std::ofstream(file) << in_file.dump();
    std::ofstream(dir_ / "clean.json") << config_for(ns).dump();
    const std::vector<std::vector<std::string>> commands = {
        {"validate-config", "--config", file.string()},
        {"check", "--config", file.string(), "--json"},
        {"validate-config", "--config", (dir_ / "clean.json").string(), "--set", "ns.url=" + url},
        {"check", "--config", (dir_ / "clean.json").string(), "--set", "ns.url=" + url},
    };
    for (const auto& command : commands) {
        std::vector<std::string> argv = {PSGUARD_BINARY_PATH};
        argv.insert(argv.end(), command.begin(), command.end());
        const auto result = run_argv(argv);
        EXPECT_EQ(result.exit_code, 2) << command[0] << ": " << result.out;
        EXPECT_NE(result.err.find("ns.url: holds user information"), std::string::npos)
            << result.err;
        EXPECT_EQ((result.out + result.err).find("Hunter2"), std::string::npos)
            << command[0] << " echoed the password: " << result.out << result.err;
    }
}

TEST(PsguardCli, VersionHelpAndUsageErrors) {
    ChildProcess version({PSGUARD_BINARY_PATH, "--version"});
    EXPECT_EQ(version.wait(10s), 0);
    EXPECT_NE(version.stdout_text().find("psguard "), std::string::npos);

    ChildProcess help({PSGUARD_BINARY_PATH, "--help"});
    EXPECT_EQ(help.wait(10s), 0);
    EXPECT_NE(help.stdout_text().find("check"), std::string::npos);

    ChildProcess unknown({PSGUARD_BINARY_PATH, "check", "--no-such-flag"});
    EXPECT_EQ(unknown.wait(10s), 2);

    ChildProcess nothing({PSGUARD_BINARY_PATH});
    EXPECT_EQ(nothing.wait(10s), 2);
}

}  // namespace
}  // namespace psguard::test
