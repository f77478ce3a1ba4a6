// Loads and validates the configuration. The service, `psguard check` and
// `psguard validate-config` all go through load_config_file, so they accept exactly the same files.
#pragma once

#include <filesystem>
#include <string_view>

#include "config/config.hpp"
#include "config/config_overrides.hpp"
#include "core/result.hpp"

namespace psguard {

// Facts about the host that fill in what the file leaves out.
struct HostDefaults {
    std::string host_name;
    std::optional<std::filesystem::path> package_delivery;  // nullopt: no agent detected
    std::optional<std::filesystem::path> package_status;
    std::filesystem::path state_dir;
    std::optional<std::filesystem::path> agent_log_dir;  // detected evidence folders
    std::optional<std::filesystem::path> agent_queue_dir;
};

HostDefaults detect_host_defaults();

// `origin` names the source in every error line (normally the file's path). JSON comments
// (// and /* */) are accepted so that the shipped example can explain itself. `overrides`
// (installer properties, then the command line) are written over the file's values before
// validation, so they are checked like the file's own.
Result<Config> parse_config(std::string_view json_text, std::string_view origin,
                            const HostDefaults& defaults, const ConfigOverrides& overrides = {});

Result<Config> load_config_file(const std::filesystem::path& file, const HostDefaults& defaults,
                                const ConfigOverrides& overrides = {});

}  // namespace psguard
