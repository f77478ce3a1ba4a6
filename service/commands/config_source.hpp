// Where a command's configuration comes from: the file (--config, or the platform default path),
// the installer's properties (Windows: HKLM\SOFTWARE\psguard) and --set on the command line.
// Precedence: command line > installer properties > file > defaults (docs/configuration.md).
#pragma once

#include <filesystem>
#include <optional>

#include "config/config.hpp"
#include "config/config_overrides.hpp"
#include "core/result.hpp"

namespace psguard {

struct ConfigSource {
    std::filesystem::path file;
    ConfigOverrides command_line;  // --set KEY=VALUE, in command-line order
};

// `config_file` nullopt: the platform default path.
ConfigSource config_source(const std::optional<std::filesystem::path>& config_file,
                           ConfigOverrides command_line = {});

// Reads the installer's properties anew on every call (a reload sees registry changes too).
Result<Config> load_config(const ConfigSource& source);

Result<Config> load_command_config(const std::optional<std::filesystem::path>& config_file,
                                   const ConfigOverrides& command_line = {});

}  // namespace psguard
