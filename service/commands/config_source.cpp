#include "commands/config_source.hpp"

#include "config/config_loader.hpp"
#include "platform/host.hpp"

namespace psguard {

Result<Config> load_command_config(const std::optional<std::filesystem::path>& config_file) {
    return load_config_file(config_file.value_or(default_config_file()), detect_host_defaults());
}

}  // namespace psguard
