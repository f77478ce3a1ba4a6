// Loads the configuration for a command: --config, or the platform default path.
#pragma once

#include <filesystem>
#include <optional>

#include "config/config.hpp"
#include "core/result.hpp"

namespace psguard {

Result<Config> load_command_config(const std::optional<std::filesystem::path>& config_file);

}  // namespace psguard
