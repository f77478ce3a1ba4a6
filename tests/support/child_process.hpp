// A real child process for integration tests: spawned with posix_spawn from an argv (never a
// shell), in its own process group, stdout/stderr captured to files; killed with its whole
// group if still running when the object goes away.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "support/temp_dir.hpp"

namespace psguard::test {

struct ChildOptions {
    // Where stdout/stderr go; empty: files in a temporary folder owned by the ChildProcess.
    std::filesystem::path stdout_file;
    std::filesystem::path stderr_file;
    // Added to (or replacing in) the parent's environment.
    std::vector<std::pair<std::string, std::string>> environment;
};

class ChildProcess {
  public:
    // argv[0] is the program: a path, or a bare name looked up in PATH.
    // Throws std::system_error when the process cannot be started.
    explicit ChildProcess(std::vector<std::string> argv, ChildOptions options = {});
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }

    // The exit code once the process ended (128 + signal number when killed by a signal),
    // nullopt if it still runs after `timeout`.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    bool running();

    // Signals the whole process group.
    void signal(int signal_number);
    // SIGTERM, then SIGKILL if it has not ended within `grace`; returns the exit code.
    int stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));

    const std::filesystem::path& stdout_file() const { return stdout_file_; }
    const std::filesystem::path& stderr_file() const { return stderr_file_; }
    std::string stdout_text() const;
    std::string stderr_text() const;

  private:
    bool reap(bool block);

    std::optional<TempDir> capture_dir_;
    std::filesystem::path stdout_file_;
    std::filesystem::path stderr_file_;
    pid_t pid_ = -1;
    std::optional<int> exit_code_;
};

// The name of the user this test process runs as (for configs that name an account).
std::string current_user_name();

}  // namespace psguard::test
