// Runs a configured command (the agent's re-report trigger) without a shell: argv as given, a
// hard timeout after which the process (and on Windows its job) is killed, and its combined
// output captured through a file, capped. A stop request kills it the same way, so that nothing
// it started outlives the agent. POSIX: posix_spawn into its own process group; Windows:
// CreateProcessW + job object.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace psguard {

struct ProcessOutcome {
    std::optional<int> exit_code;  // nullopt when killed (timeout or stop)
    bool timed_out = false;
    bool stopped = false;  // killed because `stop` was requested (not started if it was already)
    std::string output;    // stdout and stderr, at most max_output bytes
};

Result<ProcessOutcome> run_process(const std::vector<std::string>& argv,
                                   std::chrono::milliseconds timeout,
                                   const std::filesystem::path& output_file,
                                   std::stop_token stop = {}, std::size_t max_output = 16 * 1024);

// Restarts a service: systemd (`systemctl restart`) on Linux, the SCM on Windows; a stop request
// ends the wait.
Status restart_service(const std::string& name, std::chrono::milliseconds timeout,
                       const std::filesystem::path& scratch_dir, std::stop_token stop = {});

// Windows command-line quoting of one argument (the rules CommandLineToArgvW undoes); portable
// so that it is tested everywhere.
std::string quote_windows_argument(const std::string& argument);

}  // namespace psguard
