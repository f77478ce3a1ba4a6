#include "demo/background_process_posix.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "platform/spawn_posix.hpp"

namespace psguard::demo {
namespace {

int exit_code_of(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

Result<BackgroundProcess> BackgroundProcess::start(const std::vector<std::string>& argv,
                                                   const std::filesystem::path& output) {
    auto pid = spawn_process(argv, output, SpawnOptions{false, false});
    if (!pid) {
        return pid.error();
    }
    return BackgroundProcess(*pid);
}

BackgroundProcess::BackgroundProcess(BackgroundProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), exit_code_(other.exit_code_) {}

BackgroundProcess::~BackgroundProcess() {
    if (pid_ > 0) {
        stop(std::chrono::milliseconds(5000));
    }
}

std::optional<int> BackgroundProcess::reap(bool block) {
    if (exit_code_ || pid_ <= 0) {
        return exit_code_;
    }
    int status = 0;
    pid_t done = -1;
    do {
        done = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
    } while (done < 0 && errno == EINTR);
    if (done == pid_) {
        exit_code_ = exit_code_of(status);
    }
    return exit_code_;
}

bool BackgroundProcess::running() {
    return pid_ > 0 && !reap(false);
}

std::optional<int> BackgroundProcess::stop(std::chrono::milliseconds grace) {
    if (pid_ <= 0) {
        return exit_code_;
    }
    if (!reap(false)) {
        ::kill(pid_, SIGTERM);
        const auto deadline = std::chrono::steady_clock::now() + grace;
        while (!reap(false) && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        if (!exit_code_) {
            ::kill(pid_, SIGKILL);
            reap(true);
        }
    }
    pid_ = -1;
    return exit_code_;
}

}  // namespace psguard::demo
