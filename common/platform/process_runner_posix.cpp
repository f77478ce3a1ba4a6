#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <system_error>
#include <thread>

#include "core/utf8_path.hpp"
#include "platform/process_runner.hpp"

extern char** environ;

namespace psguard {
namespace {

std::string read_capped(const std::filesystem::path& file, std::size_t max) {
    std::ifstream in(file, std::ios::binary);
    std::string text(max, '\0');
    in.read(text.data(), static_cast<std::streamsize>(max));
    text.resize(static_cast<std::size_t>(in.gcount()));
    return text;
}

// posix_spawn's attribute and file-action objects, destroyed on every path.
struct SpawnSetup {
    posix_spawn_file_actions_t actions{};
    posix_spawnattr_t attributes{};
    SpawnSetup() {
        posix_spawn_file_actions_init(&actions);
        posix_spawnattr_init(&attributes);
    }
    ~SpawnSetup() {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attributes);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;
};

}  // namespace

Result<ProcessOutcome> run_process(const std::vector<std::string>& argv,
                                   std::chrono::milliseconds timeout,
                                   const std::filesystem::path& output_file,
                                   std::size_t max_output) {
    if (argv.empty()) {
        return fail("empty command");
    }
    SpawnSetup setup;
    const std::string output = output_file.native();
    posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&setup.actions, STDOUT_FILENO, output.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&setup.actions, STDOUT_FILENO, STDERR_FILENO);
    // Its own process group, so that a timeout kills whatever it started too.
    posix_spawnattr_setflags(&setup.attributes, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&setup.attributes, 0);

    std::vector<char*> args;
    for (const auto& arg : argv) {
        args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);
    pid_t pid = 0;
    const int spawned = posix_spawnp(&pid, argv[0].c_str(), &setup.actions, &setup.attributes,
                                     args.data(), environ);
    if (spawned != 0) {
        return fail("cannot start " + argv[0] + ": " + std::generic_category().message(spawned));
    }

    ProcessOutcome outcome;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    for (;;) {
        const pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid) {
            break;
        }
        if (done < 0 && errno != EINTR) {
            return fail("cannot wait for " + argv[0] + ": " +
                        std::generic_category().message(errno));
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            ::kill(-pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            outcome.timed_out = true;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!outcome.timed_out) {
        outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    outcome.output = read_capped(output_file, max_output);
    return outcome;
}

Status restart_service(const std::string& name, std::chrono::milliseconds timeout,
                       const std::filesystem::path& scratch_dir) {
    auto outcome =
        run_process({"systemctl", "restart", name}, timeout, scratch_dir / "restart-service.out");
    if (!outcome) {
        return outcome.error();
    }
    if (outcome->timed_out) {
        return fail("systemctl restart " + name + " timed out");
    }
    if (outcome->exit_code != 0) {
        return fail("systemctl restart " + name + " exited " +
                    std::to_string(outcome->exit_code.value_or(-1)) + ": " + outcome->output);
    }
    return {};
}

}  // namespace psguard
