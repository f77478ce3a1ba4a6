#include "demo/background_process_posix.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "core/utf8_path.hpp"

extern char** environ;

namespace psguard::demo {
namespace {

int exit_code_of(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Frees the posix_spawn attribute objects on every path out.
struct SpawnActions {
    posix_spawn_file_actions_t actions{};
    SpawnActions() { posix_spawn_file_actions_init(&actions); }
    ~SpawnActions() { posix_spawn_file_actions_destroy(&actions); }
    SpawnActions(const SpawnActions&) = delete;
    SpawnActions& operator=(const SpawnActions&) = delete;
};

}  // namespace

Result<BackgroundProcess> BackgroundProcess::start(const std::vector<std::string>& argv,
                                                   const std::filesystem::path& output) {
    if (argv.empty()) {
        return fail("nothing to start");
    }
    SpawnActions spawn;
    const std::string out = output.native();
    posix_spawn_file_actions_addopen(&spawn.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&spawn.actions, STDOUT_FILENO, out.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&spawn.actions, STDOUT_FILENO, STDERR_FILENO);
    std::vector<char*> args;
    for (const auto& arg : argv) {
        args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);
    pid_t pid = -1;
    const int error =
        posix_spawn(&pid, argv[0].c_str(), &spawn.actions, nullptr, args.data(), environ);
    if (error != 0) {
        return fail("cannot start " + argv[0] + ": " + std::strerror(error));
    }
    return BackgroundProcess(pid);
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

Result<int> run_to_end(const std::vector<std::string>& argv, const std::filesystem::path& output,
                       std::chrono::milliseconds timeout) {
    auto process = BackgroundProcess::start(argv, output);
    if (!process) {
        return process.error();
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (process->running()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            process->stop(std::chrono::milliseconds(1000));
            return fail(argv[0] + " did not finish within " +
                        std::to_string(timeout.count() / 1000) + " s");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return process->stop(std::chrono::milliseconds(0)).value_or(-1);
}

}  // namespace psguard::demo
