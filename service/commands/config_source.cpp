#include "commands/config_source.hpp"

#include "config/config_loader.hpp"
#include "platform/host.hpp"

namespace psguard {

ConfigSource config_source(const std::optional<std::filesystem::path>& config_file,
                           ConfigOverrides command_line) {
    return ConfigSource{config_file.value_or(default_config_file()), std::move(command_line)};
}

Result<Config> load_config(const ConfigSource& source) {
    auto overrides = read_installer_overrides();
    if (!overrides) {
        return overrides.error();
    }
    ConfigOverrides all = std::move(overrides).value();
    all.insert(all.end(), source.command_line.begin(), source.command_line.end());
    return load_config_file(source.file, detect_host_defaults(), all);
}

Result<Config> load_command_config(const std::optional<std::filesystem::path>& config_file,
                                   const ConfigOverrides& command_line) {
    return load_config(config_source(config_file, command_line));
}

}  // namespace psguard
