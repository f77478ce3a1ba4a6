// `psguard status`: what the running agent says about itself, read from its local endpoint —
// the summary an operator wants at the console, or the raw JSON for scripts.
#include <iostream>

#include <nlohmann/json.hpp>

#include "commands/commands.hpp"
#include "commands/config_source.hpp"
#include "core/duration_text.hpp"
#include "core/json_fields.hpp"
#include "cycle/check_report.hpp"
#include "endpoint/local_client.hpp"
#include "endpoint/token_file.hpp"

namespace psguard {
namespace {

using Json = nlohmann::json;
constexpr std::chrono::milliseconds kTimeout{5000};

void print_summary(const Json& status, bool healthy, const std::string& where) {
    const Json& settings = field(status, "settings");
    std::cout << "psguard " << text_of(field(status, "version")) << " on "
              << text_of(field(settings, "server")) << ": up "
              << format_duration(field(status, "uptime_seconds").is_number_integer()
                                     ? field(status, "uptime_seconds").get<std::int64_t>()
                                     : 0)
              << ", every " << text_of(field(status, "interval_minutes")) << " min, heal "
              << (field(status, "heal_enabled") == true ? "enabled" : "disabled") << '\n';
    std::cout << "Endpoint:   " << where << (healthy ? " (healthy)" : " (UNHEALTHY)") << '\n';

    const Json& cycle = field(status, "last_cycle");
    if (cycle.is_object()) {
        std::cout << "Last cycle: " << text_of(field(cycle, "time")) << ", "
                  << text_of(field(cycle, "result")) << " (" << text_of(field(cycle, "trigger"))
                  << ", " << text_of(field(cycle, "scan")) << " scan, "
                  << text_of(field(cycle, "duration_seconds")) << " s)"
                  << (field(status, "cycle_running") == true ? "; a cycle is running now" : "")
                  << '\n';
    } else {
        std::cout << "Last cycle: none yet" << '\n';
    }

    const Json& ns = field(status, "ns");
    if (ns.is_object()) {
        std::cout << "NS:         " << text_of(field(ns, "url")) << ": "
                  << (field(ns, "usable") == true ? "answered, report usable"
                                                  : "UNUSABLE: " + text_of(field(ns, "error")))
                  << '\n';
    }

    const Json& acl = field(status, "acl");
    if (acl.is_object()) {
        const Json& ok = field(acl, "ok");
        std::cout << "ACL:        ";
        if (ok.is_null()) {
            std::cout << "not checked (" << text_of(field(acl, "note"), "no credential_account")
                      << ")\n";
        } else if (ok == true) {
            std::cout << "ok for " << text_of(field(acl, "account")) << '\n';
        } else {
            std::cout << "MISSING RIGHTS for " << text_of(field(acl, "account")) << " on";
            const Json& problems = field(acl, "problems");
            std::size_t shown = 0;
            for (const auto& path : problems.is_array() ? problems : Json::array()) {
                if (shown++ == 3) {
                    std::cout << " and " << problems.size() - 3 << " more";
                    break;
                }
                std::cout << (shown == 1 ? " " : ", ") << text_of(path);
            }
            std::cout << '\n';
        }
    }

    std::cout << "Packages:   ";
    const Json& summary = field(status, "summary");
    if (!summary.is_object() || summary.empty()) {
        std::cout << "none\n";
    } else {
        bool first = true;
        for (const auto& [verdict, count] : summary.items()) {
            std::cout << (first ? "" : ", ") << text_of(count) << ' ' << verdict;
            first = false;
        }
        std::cout << '\n';
    }

    const Json& heal = field(status, "heal");
    std::cout << "Heal:       budget left today " << text_of(field(heal, "budget_left_today"))
              << ", breaker "
              << (field(heal, "breaker").is_string() ? "OPEN: " + text_of(field(heal, "breaker"))
                                                     : std::string("closed"))
              << '\n';
    const Json& diagnosis = field(status, "diagnosis");
    if (diagnosis.is_object() && field(diagnosis, "cause") != "unknown") {
        std::cout << "Diagnosis:  " << text_of(field(diagnosis, "cause")) << ": "
                  << text_of(field(diagnosis, "summary")) << '\n';
    }
}

int exit_code_for(const Json& status, bool healthy) {
    if (!healthy) {
        return kExitAgentDown;
    }
    const std::string result = text_of(field(field(status, "last_cycle"), "result"), "");
    if (result == "ns_unusable") {
        return kExitNsUnusable;
    }
    return result == "findings" ? kExitFindings : kExitHealthy;
}

}  // namespace

int run_status_command(const StatusOptions& options) {
    auto config = load_command_config(options.config_file, options.overrides);
    if (!config) {
        std::cerr << config.error().message << '\n';
        return kExitUsage;
    }
    const std::string where = local_endpoint_url(config->endpoint);
    // Bound beyond loopback, the endpoint asks for the token on every read (an administrator's
    // `psguard status` can read the token file).
    std::string token;
    if (!is_loopback_address(config->endpoint.bind_address)) {
        auto read = read_token_file(config->endpoint.token_file);
        if (!read) {
            std::cerr << "the endpoint on " << config->endpoint.bind_address
                      << " asks for its token, which psguard cannot read: " << read.error().message
                      << '\n';
            return kExitUsage;
        }
        token = std::move(read).value();
    }
    auto health = get_local(config->endpoint, "/healthz", kTimeout);
    if (!health) {
        std::cerr << "psguard is not running, or not listening where the configuration says: "
                  << health.error().message << '\n';
        return kExitAgentDown;
    }
    auto status = get_local(config->endpoint, "/v1/status", kTimeout, token);
    if (!status || status->status != 200) {
        std::cerr << "the endpoint at " << where << " did not give its status: "
                  << (status ? "HTTP " + std::to_string(status->status) : status.error().message)
                  << '\n';
        return kExitAgentDown;
    }
    const Json parsed = Json::parse(status->body, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
        std::cerr << "the endpoint at " << where << " answered something that is not "
                  << "psguard's status JSON\n";
        return kExitAgentDown;
    }
    const bool healthy = health->status == 200;
    if (options.json) {
        std::cout << Json{{"endpoint", where}, {"healthy", healthy}, {"status", parsed}}.dump(2)
                  << '\n';
    } else {
        print_summary(parsed, healthy, where);
    }
    return exit_code_for(parsed, healthy);
}

}  // namespace psguard
