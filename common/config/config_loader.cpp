#include "config/config_loader.hpp"

#include <algorithm>
#include <fstream>

#include "config/json_reader.hpp"
#include "config/state_dir_rules.hpp"
#include "core/guid.hpp"
#include "core/utf8_path.hpp"
#include "local/status_parser.hpp"
#include "ns/ns_url.hpp"
#include "platform/agent_registry.hpp"
#include "platform/host.hpp"

namespace psguard {
namespace {

constexpr std::uint64_t kMaxConfigBytes = 1024 * 1024;
constexpr std::int64_t kMiB = 1024 * 1024;
#ifdef _WIN32
constexpr bool kWindows = true;
#else
constexpr bool kWindows = false;
#endif
constexpr const char* kWindowsOnly =
    "only available on Windows, where the Symantec agent's COM objects are";

void read_package_server(JsonObjectReader top_section, Config& config,
                         const HostDefaults& defaults) {
    config.server_name = top_section.string("name").value_or(defaults.host_name);
}

void read_paths(JsonObjectReader section, Config& config, const HostDefaults& defaults) {
    auto delivery = section.absolute_path("package_delivery");
    auto status = section.absolute_path("package_status");
    if (!delivery && !defaults.package_delivery) {
        section.error("package_delivery",
                      "not set, and no Symantec agent was found on this host to detect it");
    }
    if (!status && !defaults.package_status) {
        section.error("package_status",
                      "not set, and no Symantec agent was found on this host to detect it");
    }
    config.paths.package_delivery = delivery.value_or(defaults.package_delivery.value_or(""));
    config.paths.package_status = status.value_or(defaults.package_status.value_or(""));
    config.paths.state_dir = section.absolute_path("state_dir").value_or(defaults.state_dir);
    if (auto roots = section.string_list("storage_roots")) {
        for (std::size_t i = 0; i < roots->size(); ++i) {
            auto root = utf8_to_path((*roots)[i]);
            if (!root.is_absolute()) {
                section.error("storage_roots[" + std::to_string(i) + "]",
                              "expected an absolute path, got \"" + (*roots)[i] + "\"");
                continue;
            }
            config.paths.storage_roots.push_back(root.lexically_normal());
        }
    }
    if (auto problem = state_dir_problem(config.paths, system_folders())) {
        section.error("state_dir", *problem);
    }
}

void read_auth(JsonObjectReader section, AuthConfig& auth) {
    const auto type = section.choice("type", {"none", "basic", "negotiate"});
    auth.type = !type || *type == "none" ? AuthType::none
                : *type == "basic"       ? AuthType::basic
                                         : AuthType::negotiate;
    auth.username = section.string("username").value_or("");
    auth.password_file = section.absolute_path("password_file").value_or("");
    if (auth.type == AuthType::basic) {
        if (auth.username.empty()) {
            section.error("username", "required when type is \"basic\"");
        }
        if (auth.password_file.empty()) {
            section.error("password_file",
                          "required when type is \"basic\" (the password is never kept in the "
                          "JSON)");
        }
    }
#ifndef _WIN32
    if (auth.type == AuthType::negotiate) {
        section.error("type",
                      "\"negotiate\" (Windows integrated authentication) is only available on "
                      "Windows; use \"basic\" over https");
    }
#endif
    if (auth.type == AuthType::negotiate && !auth.username.empty() && auth.password_file.empty()) {
        section.error("password_file", "required when a username is given for \"negotiate\"");
    }
}

void read_columns(JsonObjectReader section, NsColumns& columns) {
    const auto read = [&](std::string_view key, std::string& field) {
        if (auto name = section.string(key)) {
            field = *name;
        }
    };
    read("package_server", columns.package_server);
    read("package_name", columns.package_name);
    read("status", columns.status);
    read("ns_version", columns.ns_version);
    read("reported_version", columns.reported_version);
    read("package_guid", columns.package_guid);
    read("error", columns.error);
}

void read_ns(JsonObjectReader section, Config& config) {
    NsConfig& ns = config.ns;
    if (!section.present()) {
        section.error_here("required: the NS to compare against (url and report_guid)");
        return;
    }
    std::optional<HttpEndpoint> endpoint;
    if (auto url = section.string("url")) {
        auto parsed = parse_ns_url(*url);
        if (parsed) {
            ns.url = *url;
            while (ns.url.ends_with('/')) {
                ns.url.pop_back();
            }
            endpoint = *parsed;
        } else {
            section.error("url", parsed.error().message);
        }
    } else {
        section.error("url", "required, e.g. \"https://ns.example.com\"");
    }
    if (auto guid = section.string("report_guid")) {
        if (auto normal = normalise_guid(*guid, true)) {
            ns.report_guid = *normal;
        } else {
            section.error("report_guid",
                          "expected a GUID like {a1b2c3d4-...}, got \"" + *guid + "\"");
        }
    } else {
        section.error("report_guid",
                      "required: the GUID of the report created from config/ns-report.sql");
    }
    ns.report_parameter = section.string("report_parameter").value_or(ns.report_parameter);
    read_auth(section.section("auth"), ns.auth);
    if (endpoint && !endpoint->https && ns.auth.type == AuthType::basic) {
        section.error("auth.type", "\"basic\" sends the password in clear text: use an https url");
    }
    if (auto ca = section.absolute_path("ca_file")) {
        ns.ca_file = *ca;
    }
    if (auto timeout = section.integer("timeout_seconds", 1, 600)) {
        ns.timeout = std::chrono::seconds(*timeout);
    }
    if (auto retries = section.integer("max_retries", 0, 10)) {
        ns.max_retries = static_cast<int>(*retries);
    }
    if (auto backoff = section.integer("retry_backoff_ms", 0, 60000)) {
        ns.retry_backoff = std::chrono::milliseconds(*backoff);
    }
    if (auto mib = section.integer("max_response_mb", 1, 1024)) {
        ns.max_response_bytes = static_cast<std::uint64_t>(*mib * kMiB);
    }
    read_columns(section.section("columns"), ns.columns);
}

void read_parse(JsonObjectReader section, Config& config) {
    ParseConfig& parse = config.parse;
    const auto read_xpath = [&](std::string_view key, std::string& field) {
        auto expression = section.string(key);
        if (!expression) {
            return;
        }
        if (auto valid = validate_xpath(*expression); !valid) {
            section.error(key, valid.error().message);
            return;
        }
        field = *expression;
    };
    read_xpath("status_xpath", parse.status_xpath);
    read_xpath("version_xpath", parse.version_xpath);
    read_xpath("snapshot_version_xpath", parse.snapshot_version_xpath);
    read_xpath("snapshot_file_xpath", parse.snapshot_file_xpath);
    read_xpath("snapshot_location_xpath", parse.snapshot_location_xpath);
    read_xpath("snapshot_custom_location_xpath", parse.snapshot_custom_location_xpath);
    if (auto kib = section.integer("max_file_kb", 1, 1024 * 1024)) {
        parse.max_file_bytes = static_cast<std::uint64_t>(*kib) * 1024;
    }
}

// heal.refresh: one trigger or a list, tried in order; "none" alone for no trigger.
void read_refresh(JsonObjectReader& section, HealConfig& heal) {
    auto names = section.string_or_list("refresh");
    if (!names) {
        if (kWindows) {
            heal.refresh.push_back(RefreshTrigger::agent);
        }
        if (!heal.refresh_command.empty()) {
            heal.refresh.push_back(RefreshTrigger::command);
        }
        if (!heal.restart_service.empty()) {
            heal.refresh.push_back(RefreshTrigger::restart_service);
        }
        return;
    }
    if (names->size() == 1 && names->front() == "none") {
        return;
    }
    for (const auto& name : *names) {
        std::optional<RefreshTrigger> trigger;
        if (name == "agent") {
            trigger = RefreshTrigger::agent;
            if (!kWindows) {
                section.error("refresh",
                              std::string("\"agent\" (the agent's COM object) is ") + kWindowsOnly);
            }
        } else if (name == "command") {
            trigger = RefreshTrigger::command;
            if (heal.refresh_command.empty()) {
                section.error("refresh", "\"command\" needs heal.refresh_command");
            }
        } else if (name == "restart_service") {
            trigger = RefreshTrigger::restart_service;
            if (heal.restart_service.empty()) {
                section.error("refresh", "\"restart_service\" needs heal.restart_service");
            }
        } else {
            section.error("refresh",
                          "expected \"agent\", \"command\", \"restart_service\" or "
                          "\"none\" (alone), or a list of the first three, got \"" +
                              name + "\"");
            continue;
        }
        if (std::find(heal.refresh.begin(), heal.refresh.end(), *trigger) != heal.refresh.end()) {
            section.error("refresh", "\"" + name + "\" is listed twice");
            continue;
        }
        heal.refresh.push_back(*trigger);
    }
}

void read_heal(JsonObjectReader section, HealConfig& heal) {
    heal.enabled = section.boolean("enabled").value_or(heal.enabled);
    if (auto mode = section.choice("mode", {"quarantine", "delete"})) {
        heal.mode = *mode == "delete" ? HealMode::remove : HealMode::quarantine;
    }
    const auto read_int = [&](std::string_view key, int& field, int min, int max) {
        if (auto value = section.integer(key, min, max)) {
            field = static_cast<int>(*value);
        }
    };
    read_int("confirm_cycles", heal.confirm_cycles, 1, 1000);
    read_int("max_per_cycle", heal.max_per_cycle, 1, 10000);
    read_int("max_per_day", heal.max_per_day, 1, 100000);
    read_int("mass_event_percent", heal.mass_event_percent, 1, 100);
    read_int("mass_event_count", heal.mass_event_count, 1, 100000);
    read_int("max_attempts", heal.max_attempts, 1, 100);
    read_int("verify_cycles", heal.verify_cycles, 1, 1000);
    if (auto minutes = section.integer("pending_grace_minutes", 0, 7 * 24 * 60)) {
        heal.pending_grace = std::chrono::minutes(*minutes);
    }
    if (auto days = section.integer("quarantine_retention_days", 1, 3650)) {
        heal.quarantine_retention = std::chrono::hours(24 * *days);
    }
    if (auto command = section.string_list("refresh_command")) {
        if (command->empty()) {
            section.error("refresh_command", "expected the program and its arguments, got []");
        }
        heal.refresh_command = *command;
    }
    if (auto seconds = section.integer("refresh_timeout_seconds", 1, 3600)) {
        heal.refresh_timeout = std::chrono::seconds(*seconds);
    }
    heal.restart_service = section.string("restart_service").value_or("");
    read_refresh(section, heal);
    heal.policy_refresh = section.boolean("policy_refresh").value_or(kWindows && heal.enabled);
    if (heal.policy_refresh && !kWindows) {
        section.error("policy_refresh",
                      std::string("the agent's policy refresh is ") + kWindowsOnly);
    }
    if (auto hours = section.integer("policy_refresh_hours", 1, 24 * 7)) {
        heal.policy_refresh_interval = std::chrono::hours(*hours);
    }
}

void read_local(JsonObjectReader section, LocalConfig& local) {
    local.agent_view = kWindows ? AgentViewMode::automatic : AgentViewMode::off;
    if (auto view = section.boolean("agent_view")) {
        local.agent_view = *view ? AgentViewMode::on : AgentViewMode::off;
        if (*view && !kWindows) {
            section.error("agent_view",
                          std::string("the agent's view of its packages is ") + kWindowsOnly);
        }
    }
}

void read_smp_report(JsonObjectReader section, SmpReportConfig& smp) {
    smp.enabled = section.boolean("enabled").value_or(false);
    if (auto data_class = section.string("data_class")) {
        smp.data_class = normalise_guid(*data_class, true).value_or(*data_class);
    }
    if (auto hours = section.integer("interval_hours", 1, 24 * 30)) {
        smp.interval = std::chrono::hours(*hours);
    }
    if (smp.enabled && smp.data_class.empty()) {
        section.error("data_class",
                      "required when enabled: the GUID of the custom data class created for "
                      "psguard (docs/smp-fleet-report.md)");
    }
    if (smp.enabled && !kWindows) {
        section.error("enabled", std::string("the fleet status NSE is ") + kWindowsOnly);
    }
}

void read_agent(JsonObjectReader section, AgentConfig& agent) {
    if (auto minutes = section.integer("interval_minutes", 1, 24 * 60)) {
        agent.interval = std::chrono::minutes(*minutes);
    }
    if (auto ms = section.integer("debounce_ms", 0, 600000)) {
        agent.debounce = std::chrono::milliseconds(*ms);
    }
}

void read_logging(JsonObjectReader section, LoggingConfig& logging) {
    if (auto level = section.choice("level", {"trace", "debug", "info", "warn", "error"})) {
        logging.level = *level;
    }
    if (auto mib = section.integer("max_file_mb", 1, 1024)) {
        logging.max_file_bytes = static_cast<std::uint64_t>(*mib) * 1024 * 1024;
    }
    if (auto files = section.integer("max_files", 1, 100)) {
        logging.max_files = static_cast<int>(*files);
    }
}

void read_acl(JsonObjectReader section, AclConfig& acl) {
    if (auto rights = section.string_list("required_rights")) {
        acl.required_rights = *rights;
        if (auto valid = validate_acl_config(acl); !valid) {
            section.error("required_rights", valid.error().message);
        }
    }
    acl.repair = section.boolean("repair").value_or(acl.repair);
}

void read_evidence(JsonObjectReader section, EvidenceConfig& evidence,
                   const HostDefaults& defaults) {
    evidence.log_dir = section.absolute_path("log_dir").value_or(
        defaults.agent_log_dir.value_or(std::filesystem::path()));
    evidence.queue_dir = section.absolute_path("queue_dir")
                             .value_or(defaults.agent_queue_dir.value_or(std::filesystem::path()));
    if (auto items = section.integer("max_items_per_kind", 1, 1000)) {
        evidence.max_items_per_kind = static_cast<std::size_t>(*items);
    }
    if (auto minutes = section.integer("backlog_minutes", 1, 7 * 24 * 60)) {
        evidence.backlog_age = std::chrono::minutes(*minutes);
    }
    if (auto files = section.integer("backlog_files", 1, 1000000)) {
        evidence.backlog_files = static_cast<std::size_t>(*files);
    }
    if (auto mib = section.integer("max_read_mb_per_cycle", 1, 4096)) {
        evidence.max_read_per_cycle_bytes = static_cast<std::uint64_t>(*mib) * 1024 * 1024;
    }
}

void read_endpoint(JsonObjectReader section, EndpointConfig& endpoint,
                   const std::filesystem::path& state_dir) {
    endpoint.bind_address = section.string("bind").value_or(endpoint.bind_address);
    if (auto port = section.integer("port", 0, 65535)) {
        endpoint.port = static_cast<std::uint16_t>(*port);
    }
    endpoint.token_file =
        section.absolute_path("token_file").value_or(state_dir / "endpoint.token");
    if (auto connections = section.integer("max_connections", 1, kMaxEndpointConnections)) {
        endpoint.max_connections = static_cast<std::size_t>(*connections);
    }
    JsonObjectReader tls = section.section("tls");
    endpoint.tls.cert_file = tls.absolute_path("cert_file").value_or("");
    endpoint.tls.key_file = tls.absolute_path("key_file").value_or("");
    endpoint.tls.client_ca_file = tls.absolute_path("client_ca_file").value_or("");
    endpoint.tls.required = tls.boolean("required");
    if (auto valid = validate(endpoint); !valid) {
        section.error_here(valid.error().message);
    }
}

}  // namespace

HostDefaults detect_host_defaults() {
    HostDefaults defaults;
    defaults.host_name = local_host_name();
    if (auto agent = detect_agent_locations()) {
        defaults.package_delivery = agent->package_delivery;
        defaults.package_status = agent->package_status;
    }
    defaults.state_dir = default_state_dir();
    const AgentRegistry registry = read_agent_registry();
    AgentFolders folders;
    folders.install_dir = agent_install_dir();
    folders.registry_log_dir = agent_log_dir_from(registry);
    folders.program_data = program_data_dir();
    folders.public_dir = public_dir();
    const auto evidence =
        detect_evidence_dirs(evidence_dir_candidates(kThisAgentPlatform, folders));
    defaults.agent_log_dir = evidence.log_dir;
    defaults.agent_queue_dir = evidence.queue_dir;
    return defaults;
}

Result<Config> parse_config(std::string_view json_text, std::string_view origin,
                            const HostDefaults& defaults, const ConfigOverrides& overrides) {
    nlohmann::json document;
    try {
        document = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/true,
                                         /*ignore_comments=*/true);
    } catch (const nlohmann::json::exception& e) {
        // parse_error: e.byte is the 1-based offset of the error; nlohmann's text names the
        // token. out_of_range: a number too large for a double ("1e999"), found by fuzzing.
        return fail(std::string(origin) + ": not valid JSON: " + e.what());
    }
    if (auto applied = apply_config_overrides(document, overrides); !applied) {
        return fail(std::string(origin) + ": " + applied.error().message);
    }
    // Errors in an overridden value name its source too, not only the file.
    std::string where(origin);
    if (const std::string overridden = describe(overrides); !overridden.empty()) {
        where += " with " + overridden;
    }

    Config config;
    ConfigErrors errors;
    {
        JsonObjectReader top(&document, "", errors);
        read_package_server(top.section("package_server"), config, defaults);
        read_paths(top.section("paths"), config, defaults);
        read_ns(top.section("ns"), config);
        config.credential_account = top.string("credential_account").value_or("");
        read_parse(top.section("parse"), config);
        read_local(top.section("local"), config.local);
        read_heal(top.section("heal"), config.heal);
        read_agent(top.section("agent"), config.agent);
        read_logging(top.section("logging"), config.logging);
        read_acl(top.section("acl"), config.acl);
        read_evidence(top.section("evidence"), config.evidence, defaults);
        read_endpoint(top.section("endpoint"), config.endpoint, config.paths.state_dir);
        read_smp_report(top.section("smp_report"), config.smp_report);
    }
    if (!errors.empty()) {
        return fail(errors.format(where));
    }
    return config;
}

Result<Config> load_config_file(const std::filesystem::path& file, const HostDefaults& defaults,
                                const ConfigOverrides& overrides) {
    const std::string origin = path_to_utf8(file);
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (ec) {
        return fail(origin + ": cannot read the configuration file: " + ec.message());
    }
    if (size > kMaxConfigBytes) {
        return fail(origin + ": the configuration file is larger than 1 MiB");
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return fail(origin + ": cannot open the configuration file");
    }
    std::string text(static_cast<std::size_t>(size), '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (static_cast<std::uint64_t>(in.gcount()) != size) {
        return fail(origin + ": the configuration file changed while it was read");
    }
    // Notepad writes a UTF-8 BOM; JSON parsers may reject it.
    if (text.starts_with("\xEF\xBB\xBF")) {
        text.erase(0, 3);
    }
    return parse_config(text, origin, defaults, overrides);
}

}  // namespace psguard
