// The subcommands of the psguard executable. Each returns the process exit code.
#pragma once

#include <filesystem>
#include <optional>

namespace psguard {

struct CheckOptions {
    std::optional<std::filesystem::path> config_file;
    bool json = false;
};

int run_check_command(const CheckOptions& options);

int run_validate_config_command(const std::optional<std::filesystem::path>& config_file);

}  // namespace psguard
