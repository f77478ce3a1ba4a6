#include <iostream>

#include "commands/commands.hpp"
#include "commands/config_source.hpp"
#include "core/utf8_path.hpp"
#include "cycle/check_report.hpp"
#include "endpoint/endpoint_tls.hpp"
#include "endpoint/token_file.hpp"
#include "ns/ns_client.hpp"

namespace psguard {

int run_validate_config_command(const std::optional<std::filesystem::path>& config_file,
                                const ConfigOverrides& overrides) {
    auto config = load_command_config(config_file, overrides);
    if (!config) {
        std::cerr << config.error().message << '\n';
        return kExitUsage;
    }
    // Building the NS client reads the password file: a missing secret is a configuration error.
    if (auto ns = make_ns_client(*config); !ns) {
        std::cerr << ns.error().message << '\n';
        return kExitUsage;
    }
    // The endpoint's start refuses a token file others may read: so does validation.
    if (!config->endpoint.token_file.empty()) {
        if (auto token = check_token_file(config->endpoint.token_file, config->paths.state_dir);
            !token) {
            std::cerr << "endpoint.token_file: " << token.error().message << '\n';
            return kExitUsage;
        }
    }
    // The endpoint's TLS files are judged as the service judges them when it starts.
    std::string endpoint_tls;
    if (config->endpoint.tls.enabled()) {
        auto tls = load_endpoint_tls(config->endpoint.tls, now_seconds());
        if (!tls) {
            std::cerr << tls.error().message << '\n';
            return kExitUsage;
        }
        endpoint_tls = " over TLS (" + tls->description() + ")";
    }
    std::cout << "configuration valid: server " << config->server_name << ", NS " << config->ns.url
              << "\n  package_delivery: " << path_to_utf8(config->paths.package_delivery)
              << "\n  package_status:   " << path_to_utf8(config->paths.package_status)
              << "\n  state_dir:        " << path_to_utf8(config->paths.state_dir)
              << "\n  endpoint:         " << config->endpoint.bind_address << ':'
              << config->endpoint.port << endpoint_tls << '\n';
    return 0;
}

}  // namespace psguard
