// The subcommands of the psguard executable. Each returns the process exit code.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace psguard {

struct CheckOptions {
    std::optional<std::filesystem::path> config_file;
    bool json = false;
    bool heal = false;
    bool dry_run = false;
};

int run_check_command(const CheckOptions& options);

int run_validate_config_command(const std::optional<std::filesystem::path>& config_file);

struct JournalOptions {
    std::optional<std::filesystem::path> config_file;
    bool json = false;
};

int run_journal_command(const JournalOptions& options);

struct RestoreCommandOptions {
    std::optional<std::filesystem::path> config_file;
    std::string action_id;  // or
    std::string since;      // an ISO 8601 UTC time or a date
    bool force = false;
};

int run_restore_command(const RestoreCommandOptions& options);

struct StatusOptions {
    std::optional<std::filesystem::path> config_file;  // where the endpoint is
    bool json = false;
};

// Exit codes as `psguard check` for the agent's last cycle (0, 1, 3), or kExitAgentDown.
int run_status_command(const StatusOptions& options);

int run_reset_command(const std::optional<std::filesystem::path>& config_file,
                      const std::string& package);

}  // namespace psguard
