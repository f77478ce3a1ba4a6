#include "config/config_loader.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "core/utf8_path.hpp"

namespace psguard {
namespace {

// Absolute on every platform (a POSIX "/x" is not absolute on Windows).
std::string abs_path(const std::string& leaf) {
    return path_to_utf8(std::filesystem::temp_directory_path() / "psguard-config-test" / leaf);
}

HostDefaults no_agent_defaults() {
    HostDefaults defaults;
    defaults.host_name = "HOSTNAME1";
    defaults.state_dir = utf8_to_path(abs_path("state"));
    return defaults;
}

nlohmann::json minimal() {
    return {{"paths", {{"package_delivery", abs_path("pd")}, {"package_status", abs_path("ps")}}},
            {"ns",
             {{"url", "https://ns.example.com"},
              {"report_guid", "{A1B2C3D4-0000-4000-8000-000000000001}"}}}};
}

Result<Config> parse(const nlohmann::json& document,
                     const HostDefaults& defaults = no_agent_defaults()) {
    return parse_config(document.dump(), "psguard.json", defaults);
}

void expect_error(const nlohmann::json& document, const std::string& fragment) {
    auto config = parse(document);
    ASSERT_FALSE(config) << "accepted: " << document.dump();
    EXPECT_NE(config.error().message.find(fragment), std::string::npos)
        << "error was: " << config.error().message;
    EXPECT_EQ(config.error().message.rfind("psguard.json: ", 0), 0u) << config.error().message;
}

TEST(ConfigLoader, MinimalConfigGetsDefaults) {
    auto config = parse(minimal());
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->server_name, "HOSTNAME1");
    EXPECT_EQ(config->ns.url, "https://ns.example.com");
    EXPECT_EQ(config->ns.report_guid, "{a1b2c3d4-0000-4000-8000-000000000001}");
    EXPECT_EQ(config->ns.report_parameter, "PackageServer");
    EXPECT_EQ(config->ns.timeout, std::chrono::seconds(30));
    EXPECT_EQ(config->ns.auth.type, AuthType::none);
    EXPECT_EQ(config->ns.columns.package_guid, "Package GUID");
    EXPECT_EQ(config->paths.state_dir, utf8_to_path(abs_path("state")));
    EXPECT_EQ(config->parse.max_file_bytes, 8u * 1024 * 1024);
}

TEST(ConfigLoader, DetectedAgentPathsFillTheGaps) {
    auto defaults = no_agent_defaults();
    defaults.package_delivery = utf8_to_path(abs_path("agent/Package Delivery"));
    defaults.package_status = utf8_to_path(abs_path("agent/PackageStatus"));
    auto document = minimal();
    document.erase("paths");
    auto config = parse(document, defaults);
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->paths.package_delivery, *defaults.package_delivery);
    EXPECT_EQ(config->paths.package_status, *defaults.package_status);
}

TEST(ConfigLoader, CommentsAreAllowed) {
    const std::string text = "// psguard\n" + minimal().dump(2) + "\n/* end */\n";
    auto config = parse_config(text, "psguard.json", no_agent_defaults());
    EXPECT_TRUE(config) << config.error().message;
}

TEST(ConfigLoader, FullConfig) {
    auto document = minimal();
    document["package_server"] = {{"name", "PS01"}};
    document["credential_account"] = "CORP\\svc-pkg";
    document["ns"]["timeout_seconds"] = 5;
    document["ns"]["max_retries"] = 0;
    document["ns"]["ca_file"] = abs_path("ca.pem");
    document["ns"]["auth"] = {
        {"type", "basic"}, {"username", "u"}, {"password_file", abs_path("pw")}};
    document["ns"]["columns"] = {{"status", "State"}};
    document["parse"] = {{"status_xpath", "/PackageStatus/@status"}, {"max_file_kb", 16}};
    document["paths"]["storage_roots"] = {abs_path("store")};
    auto config = parse(document);
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->server_name, "PS01");
    EXPECT_EQ(config->credential_account, "CORP\\svc-pkg");
    EXPECT_EQ(config->ns.timeout, std::chrono::seconds(5));
    EXPECT_EQ(config->ns.max_retries, 0);
    EXPECT_EQ(config->ns.auth.type, AuthType::basic);
    EXPECT_EQ(config->ns.columns.status, "State");
    EXPECT_EQ(config->ns.columns.package_name, "Package Name");
    EXPECT_EQ(config->parse.status_xpath, "/PackageStatus/@status");
    EXPECT_EQ(config->parse.max_file_bytes, 16u * 1024);
    ASSERT_EQ(config->paths.storage_roots.size(), 1u);
}

TEST(ConfigLoader, ErrorsNameTheJsonPath) {
    auto doc = minimal();
    doc["ns"]["timeout_seconds"] = "abc";
    expect_error(doc, "ns.timeout_seconds: expected an integer from 1 to 600, got \"abc\"");

    doc = minimal();
    doc["ns"]["timeout_seconds"] = 0;
    expect_error(doc, "ns.timeout_seconds: expected an integer from 1 to 600, got 0");

    doc = minimal();
    doc["ns"]["auth"] = {{"type", "kerberos"}};
    expect_error(doc, "ns.auth.type: expected one of \"none\", \"basic\", \"negotiate\"");

    doc = minimal();
    doc["ns"]["url"] = "ftp://ns";
    expect_error(doc, "ns.url: expected a URL starting with https://");

    doc = minimal();
    doc["ns"]["url"] = "https://ns.example.com/Altiris";
    expect_error(doc, "ns.url: expected only scheme, host and port");

    doc = minimal();
    doc["ns"]["url"] = "https://ns.example.com:99999";
    expect_error(doc, "ns.url: invalid port");

    doc = minimal();
    doc["ns"]["report_guid"] = "report-1";
    expect_error(doc, "ns.report_guid: expected a GUID");

    doc = minimal();
    doc["paths"]["package_delivery"] = "relative/folder";
    expect_error(doc, "paths.package_delivery: expected an absolute path");

    doc = minimal();
    doc["paths"]["storage_roots"] = {"relative"};
    expect_error(doc, "paths.storage_roots[0]: expected an absolute path");

    doc = minimal();
    doc["parse"] = {{"status_xpath", "/a["}};
    expect_error(doc, "parse.status_xpath:");

    doc = minimal();
    doc["ns"]["columns"] = {{"status", 5}};
    expect_error(doc, "ns.columns.status: expected a string, got 5");

    doc = minimal();
    doc["paths"] = "C:\\pd";
    expect_error(doc, "paths: expected an object");
}

TEST(ConfigLoader, UnknownKeysAreErrors) {
    auto doc = minimal();
    doc["ns"]["timeout"] = 5;
    expect_error(doc, "ns.timeout: unknown key");
    doc = minimal();
    doc["heal_everything"] = true;
    expect_error(doc, "heal_everything: unknown key");
}

TEST(ConfigLoader, EndpointTlsKeysAndTheirRules) {
    auto doc = minimal();
    doc["endpoint"] = {{"bind", "0.0.0.0"},
                       {"tls",
                        {{"cert_file", abs_path("endpoint.pem")},
                         {"key_file", abs_path("endpoint.key")},
                         {"client_ca_file", abs_path("clients.pem")}}}};
    auto config = parse(doc);
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->endpoint.tls.cert_file, utf8_to_path(abs_path("endpoint.pem")));
    EXPECT_EQ(config->endpoint.tls.key_file, utf8_to_path(abs_path("endpoint.key")));
    EXPECT_EQ(config->endpoint.tls.client_ca_file, utf8_to_path(abs_path("clients.pem")));
    EXPECT_FALSE(config->endpoint.tls.required.has_value());

    // Beyond loopback without TLS: refused unless plain HTTP is asked for explicitly.
    doc["endpoint"].erase("tls");
    expect_error(doc,
                 "endpoint: endpoint.bind: 0.0.0.0 is not a loopback address, so the "
                 "endpoint must speak TLS");
    doc["endpoint"]["tls"] = {{"required", false}};
    EXPECT_TRUE(parse(doc).ok());

    doc = minimal();
    doc["endpoint"] = {{"tls", {{"cert_file", "endpoint.pem"}}}};
    expect_error(doc, "endpoint.tls.cert_file: expected an absolute path");
    doc["endpoint"] = {{"tls", {{"cert_file", abs_path("endpoint.pem")}}}};
    expect_error(doc, "cert_file is set without key_file");
    doc["endpoint"] = {{"tls", {{"required", "yes"}}}};
    expect_error(doc, "endpoint.tls.required: expected true or false");
    doc["endpoint"] = {{"tls", {{"ciphers", "ALL"}}}};
    expect_error(doc, "endpoint.tls.ciphers: unknown key");
}

TEST(ConfigLoader, ReportsEveryProblemAtOnce) {
    auto doc = minimal();
    doc["ns"]["timeout_seconds"] = -1;
    doc["ns"]["report_guid"] = "x";
    doc["typo"] = 1;
    auto config = parse(doc);
    ASSERT_FALSE(config);
    const auto& message = config.error().message;
    EXPECT_NE(message.find("ns.timeout_seconds"), std::string::npos) << message;
    EXPECT_NE(message.find("ns.report_guid"), std::string::npos) << message;
    EXPECT_NE(message.find("typo"), std::string::npos) << message;
}

TEST(ConfigLoader, RequiredParts) {
    auto doc = minimal();
    doc.erase("ns");
    expect_error(doc, "ns: required");
    doc = minimal();
    doc["ns"].erase("url");
    expect_error(doc, "ns.url: required");
    doc = minimal();
    doc.erase("paths");
    expect_error(doc, "paths.package_delivery: not set, and no Symantec agent was found");
}

TEST(ConfigLoader, BasicAuthNeedsUserPasswordFileAndHttps) {
    auto doc = minimal();
    doc["ns"]["auth"] = {{"type", "basic"}};
    expect_error(doc, "ns.auth.username: required when type is \"basic\"");
    expect_error(doc, "ns.auth.password_file: required when type is \"basic\"");
    doc["ns"]["auth"] = {{"type", "basic"}, {"username", "u"}, {"password_file", abs_path("pw")}};
    doc["ns"]["url"] = "http://ns.example.com";
    expect_error(doc, "ns.auth.type: \"basic\" sends the password in clear text");
}

TEST(ConfigLoader, PasswordIsNeverAcceptedInline) {
    auto doc = minimal();
    doc["ns"]["auth"] = {{"type", "basic"}, {"username", "u"}, {"password", "secret"}};
    auto config = parse(doc);
    ASSERT_FALSE(config);
    EXPECT_NE(config.error().message.find("ns.auth.password: unknown key"), std::string::npos);
    EXPECT_EQ(config.error().message.find("secret"), std::string::npos)
        << "the value of a password key must never be echoed";
}

TEST(ConfigLoader, UrlWithUserInformationIsRefusedWithoutEchoingIt) {
    for (const char* url :
         {"https://svc:Hunter2-secret@ns01", "https://svc:Hunter2-secret@ns01:8443/",
          "http://Hunter2-secret@ns01/Altiris"}) {
        auto doc = minimal();
        doc["ns"]["url"] = url;
        auto config = parse(doc);
        ASSERT_FALSE(config) << url;
        EXPECT_NE(config.error().message.find("ns.url: holds user information"), std::string::npos)
            << config.error().message;
        EXPECT_EQ(config.error().message.find("Hunter2"), std::string::npos)
            << config.error().message;
    }
}

// psguard's state folder is its own: never a package root (its writes would wake the watcher
// forever) nor a system folder (whose permissions and content are not psguard's).
TEST(ConfigLoader, StateDirInsideARootOrASystemFolderIsRefused) {
    auto with_store = minimal();
    with_store["paths"]["storage_roots"] = {abs_path("store")};
    const std::vector<std::pair<std::string, std::string>> refused = {
        {abs_path("pd"), "is paths.package_delivery"},
        {abs_path("pd") + "/psguard", "is paths.package_delivery"},
        {abs_path("ps") + "/state/..", "is paths.package_status"},
        {abs_path("store") + "/x", "is paths.storage_roots[0]"},
#ifdef _WIN32
        {"C:\\", "the root of a drive"},
        {"C:\\Windows", "the system folder"},
        {"C:\\Windows\\System32\\psguard", "lies in the system folder"},
        {"C:\\Program Files", "the system folder"},
#else
        {"/", "the root of a drive"},
        {"/etc", "the system folder \"/etc\""},
        {"/usr/", "the system folder \"/usr\""},
        {"/var/lib", "the system folder"},
        {"/proc/self", "lies in the system folder \"/proc\""},
#endif
    };
    for (const auto& [state_dir, fragment] : refused) {
        auto doc = with_store;
        doc["paths"]["state_dir"] = state_dir;
        expect_error(doc, "paths.state_dir: ");
        expect_error(doc, fragment);
    }
    // A folder of its own beside the roots, or below a system folder that is not a whole tree.
    for (const std::string& state_dir : {abs_path("state"), abs_path("pd-state"),
#ifdef _WIN32
                                         std::string("C:\\ProgramData\\psguard")
#else
                                         std::string("/var/lib/psguard")
#endif
         }) {
        auto doc = with_store;
        doc["paths"]["state_dir"] = state_dir;
        auto config = parse(doc);
        EXPECT_TRUE(config) << state_dir << ": " << config.error().message;
    }
}

#ifndef _WIN32
TEST(ConfigLoader, NegotiateIsWindowsOnly) {
    auto doc = minimal();
    doc["ns"]["auth"] = {{"type", "negotiate"}};
    expect_error(doc, "only available on Windows");
}
#endif

TEST(ConfigLoader, InvalidJsonNamesTheFile) {
    auto config =
        parse_config("{ \"ns\": ", "C:/ProgramData/psguard/psguard.json", no_agent_defaults());
    ASSERT_FALSE(config);
    EXPECT_NE(config.error().message.find("C:/ProgramData/psguard/psguard.json: not valid JSON"),
              std::string::npos)
        << config.error().message;
}

// Found by tests/fuzz/fuzz_config: a number beyond a double's range made nlohmann throw
// out_of_range, which escaped parse_config and terminated psguard.
TEST(ConfigLoader, ANumberTooLargeForADoubleIsInvalidJsonNotACrash) {
    for (const char* text : {"{\"package_server\": 2e22222222222222222222222222}",
                             "{\"ns\": {\"timeout_seconds\": 1e999}}", "[-1e400]"}) {
        auto config = parse_config(text, "psguard.json", no_agent_defaults());
        ASSERT_FALSE(config) << text;
        EXPECT_NE(config.error().message.find("psguard.json: not valid JSON"), std::string::npos)
            << config.error().message;
        EXPECT_NE(config.error().message.find("number overflow"), std::string::npos)
            << config.error().message;
    }
}

TEST(ConfigLoader, LoadsFilesWithAByteOrderMark) {
    const auto dir = std::filesystem::temp_directory_path() / "psguard-config-bom";
    std::filesystem::create_directories(dir);
    const auto file = dir / "psguard.json";
    {
        std::ofstream out(file, std::ios::binary);
        out << "\xEF\xBB\xBF" << minimal().dump();
    }
    auto config = load_config_file(file, no_agent_defaults());
    EXPECT_TRUE(config) << config.error().message;
    std::filesystem::remove_all(dir);
}

TEST(ConfigLoader, MissingFileIsAClearError) {
    auto config =
        load_config_file(utf8_to_path(abs_path("does-not-exist.json")), no_agent_defaults());
    ASSERT_FALSE(config);
    EXPECT_NE(config.error().message.find("does-not-exist.json: cannot read"), std::string::npos)
        << config.error().message;
}

#ifdef _WIN32
constexpr bool kWindows = true;
#else
constexpr bool kWindows = false;
#endif

// The re-report trigger: the agent's COM object by default on Windows, then the configured
// command and service; nothing new on other platforms.
TEST(ConfigLoader, RefreshDefaultsFollowThePlatformAndWhatIsConfigured) {
    auto document = minimal();
    auto config = parse(document);
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->heal.refresh, kWindows ? std::vector<RefreshTrigger>{RefreshTrigger::agent}
                                             : std::vector<RefreshTrigger>{});
    document["heal"] = {{"refresh_command", {"touch", "x"}}, {"restart_service", "AeXNSClient"}};
    config = parse(document);
    ASSERT_TRUE(config) << config.error().message;
    std::vector<RefreshTrigger> expected = {RefreshTrigger::command,
                                            RefreshTrigger::restart_service};
    if (kWindows) {
        expected.insert(expected.begin(), RefreshTrigger::agent);
    }
    EXPECT_EQ(config->heal.refresh, expected);
    EXPECT_FALSE(config->heal.policy_refresh);
    EXPECT_EQ(config->heal.policy_refresh_interval, std::chrono::hours(4));
    EXPECT_EQ(config->local.agent_view, kWindows ? AgentViewMode::automatic : AgentViewMode::off);
    EXPECT_FALSE(config->smp_report.enabled);
}

TEST(ConfigLoader, RefreshIsATriggerOrAnOrderedList) {
    auto document = minimal();
    document["heal"] = {{"refresh", {"restart_service", "command"}},
                        {"refresh_command", {"touch", "x"}},
                        {"restart_service", "AeXNSClient"}};
    auto config = parse(document);
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->heal.refresh, (std::vector<RefreshTrigger>{RefreshTrigger::restart_service,
                                                                 RefreshTrigger::command}));
    document["heal"]["refresh"] = "none";
    config = parse(document);
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_TRUE(config->heal.refresh.empty());
    document["heal"]["refresh"] = "command";
    config = parse(document);
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->heal.refresh, std::vector<RefreshTrigger>{RefreshTrigger::command});
}

TEST(ConfigLoader, RefreshErrorsNameTheProblem) {
    auto document = minimal();
    document["heal"] = {{"refresh", "command"}};
    expect_error(document, "heal.refresh: \"command\" needs heal.refresh_command");
    document["heal"] = {{"refresh", {"none", "command"}}, {"refresh_command", {"x"}}};
    expect_error(document, "\"none\" (alone)");
    document["heal"] = {{"refresh", {"command", "command"}}, {"refresh_command", {"x"}}};
    expect_error(document, "\"command\" is listed twice");
    document["heal"] = {{"refresh", "AeXAgentUtil"}};
    expect_error(document, "got \"AeXAgentUtil\"");
}

TEST(ConfigLoader, PolicyRefreshIsOnByDefaultOnWindowsWhenHealIsEnabled) {
    auto document = minimal();
    document["heal"] = {{"enabled", true}, {"policy_refresh_hours", 8}};
    auto config = parse(document);
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->heal.policy_refresh, kWindows);
    EXPECT_EQ(config->heal.policy_refresh_interval, std::chrono::hours(8));
}

TEST(ConfigLoader, SmpReportNeedsItsDataClass) {
    auto document = minimal();
    document["smp_report"] = {{"enabled", true}};
    expect_error(document, "smp_report.data_class: required when enabled");
    document["smp_report"] = {{"enabled", false},
                              {"data_class", "9D1D7A66-2B0F-4C1E-8A77-5C0B3D2E1F10"},
                              {"interval_hours", 6}};
    auto config = parse(document);
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->smp_report.data_class, "{9d1d7a66-2b0f-4c1e-8a77-5c0b3d2e1f10}");
    EXPECT_EQ(config->smp_report.interval, std::chrono::hours(6));
}

// The Symantec agent's COM objects exist on Windows only: asking for them elsewhere is a
// configuration error that says so.
TEST(ConfigLoader, AgentFeaturesAreWindowsOnly) {
    if (kWindows) {
        GTEST_SKIP() << "they are available here";
    }
    auto document = minimal();
    document["heal"] = {{"refresh", "agent"}};
    expect_error(document,
                 "heal.refresh: \"agent\" (the agent's COM object) is only available on Windows");
    document["heal"] = {{"policy_refresh", true}};
    expect_error(document,
                 "heal.policy_refresh: the agent's policy refresh is only available on Windows");
    document.erase("heal");
    document["local"] = {{"agent_view", true}};
    expect_error(document,
                 "local.agent_view: the agent's view of its packages is only available on Windows");
    document.erase("local");
    document["smp_report"] = {{"enabled", true},
                              {"data_class", "{9d1d7a66-2b0f-4c1e-8a77-5c0b3d2e1f10}"}};
    expect_error(document, "smp_report.enabled: the fleet status NSE is only available on Windows");
    document["smp_report"]["enabled"] = false;
    document["local"] = {{"agent_view", false}};
    EXPECT_TRUE(parse(document));
}

}  // namespace
}  // namespace psguard
