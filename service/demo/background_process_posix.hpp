// A helper program the demo runs beside it (the NS emulator, the agent itself): started with
// posix_spawn, its output in a file, stopped with SIGTERM (then SIGKILL) by its one owner.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace psguard::demo {

class BackgroundProcess {
  public:
    // argv[0] is a path. stdout and stderr both go to `output`.
    static Result<BackgroundProcess> start(const std::vector<std::string>& argv,
                                           const std::filesystem::path& output);

    BackgroundProcess(BackgroundProcess&& other) noexcept;
    BackgroundProcess& operator=(BackgroundProcess&&) = delete;
    BackgroundProcess(const BackgroundProcess&) = delete;
    BackgroundProcess& operator=(const BackgroundProcess&) = delete;
    ~BackgroundProcess();

    bool running();
    // SIGTERM, then SIGKILL after `grace`; the exit code (128 + signal when killed).
    std::optional<int> stop(std::chrono::milliseconds grace);

  private:
    explicit BackgroundProcess(pid_t pid) : pid_(pid) {}
    std::optional<int> reap(bool block);

    pid_t pid_ = -1;
    std::optional<int> exit_code_;
};

}  // namespace psguard::demo
