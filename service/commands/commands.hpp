// The subcommands of the psguard executable. Each returns the process exit code.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "config/config_overrides.hpp"

namespace psguard {

struct CheckOptions {
    std::optional<std::filesystem::path> config_file;
    ConfigOverrides overrides;  // --set
    bool json = false;
    bool all = false;  // the table lists every package
    bool heal = false;
    bool dry_run = false;
};

int run_check_command(const CheckOptions& options);

int run_validate_config_command(const std::optional<std::filesystem::path>& config_file,
                                const ConfigOverrides& overrides);

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
    ConfigOverrides overrides;                         // --set (endpoint.port, ...)
    bool json = false;
};

// Exit codes as `psguard check` for the agent's last cycle (0, 1, 3), or kExitAgentDown.
int run_status_command(const StatusOptions& options);

struct DemoOptions {
    bool keep = false;                               // leave the sandbox for exploring
    std::size_t packages = 36;                       // a few dozen
    std::optional<std::filesystem::path> tools_dir;  // the NS emulator and PS simulator
};

// POSIX: the narrated sandbox run (demo_command_posix.cpp); 0 when the server ends healthy.
int run_demo_command(const DemoOptions& options);

struct CollectOptions {
    std::optional<std::filesystem::path> config_file;
    std::optional<std::filesystem::path> out;  // default: ./psguard-collect-<UTC>.zip
    bool hide_guids = false;
};

// The anonymised support bundle; 0 when written, 2 on a configuration error, 1 when the
// archive cannot be written or read back.
int run_collect_command(const CollectOptions& options);

int run_reset_command(const std::optional<std::filesystem::path>& config_file,
                      const std::string& package);

}  // namespace psguard
