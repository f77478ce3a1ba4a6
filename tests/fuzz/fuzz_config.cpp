// libFuzzer target: the configuration loader (JSON with comments, every section's validation),
// as `psguard check`, `psguard run` and `psguard validate-config` read a file. Host defaults are
// fixed so that a run depends on the input only.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/config_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const psguard::HostDefaults defaults = [] {
        psguard::HostDefaults host;
        host.host_name = "PS01";
        host.package_delivery = "/fuzz/Package Delivery";
        host.package_status = "/fuzz/PackageStatus";
        host.state_dir = "/fuzz/state";
        return host;
    }();
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto config = psguard::parse_config(text, "fuzz.json", defaults);
    if (config) {
        // What the loader accepts, the rest of psguard relies on.
        if (config->paths.package_delivery.empty() || config->paths.package_status.empty() ||
            config->server_name.empty()) {
            std::abort();
        }
    } else if (config.error().message.empty()) {
        std::abort();  // every refusal names its reason
    }
    return 0;
}
