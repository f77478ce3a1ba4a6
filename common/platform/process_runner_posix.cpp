#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <system_error>
#include <thread>

#include "core/utf8_path.hpp"
#include "platform/process_runner.hpp"
#include "platform/spawn_posix.hpp"

namespace psguard {
namespace {

std::string read_capped(const std::filesystem::path& file, std::size_t max) {
    std::ifstream in(file, std::ios::binary);
    std::string text(max, '\0');
    in.read(text.data(), static_cast<std::streamsize>(max));
    text.resize(static_cast<std::size_t>(in.gcount()));
    return text;
}

}  // namespace

Result<ProcessOutcome> run_process(const std::vector<std::string>& argv,
                                   std::chrono::milliseconds timeout,
                                   const std::filesystem::path& output_file, std::stop_token stop,
                                   std::size_t max_output) {
    if (argv.empty()) {
        return fail("empty command");
    }
    ProcessOutcome outcome;
    if (stop.stop_requested()) {
        outcome.stopped = true;
        return outcome;
    }
    // Its own process group, so that a timeout kills whatever it started too.
    auto spawned = spawn_process(argv, output_file, SpawnOptions{true, true});
    if (!spawned) {
        return spawned.error();
    }
    const pid_t pid = *spawned;

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
        outcome.stopped = stop.stop_requested();
        outcome.timed_out = !outcome.stopped && std::chrono::steady_clock::now() >= deadline;
        if (outcome.stopped || outcome.timed_out) {
            ::kill(-pid, SIGKILL);  // the group: what it started goes too
            ::waitpid(pid, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!outcome.timed_out && !outcome.stopped) {
        outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    outcome.output = read_capped(output_file, max_output);
    return outcome;
}

Status restart_service(const std::string& name, std::chrono::milliseconds timeout,
                       const std::filesystem::path& scratch_dir, std::stop_token stop) {
    auto outcome = run_process({"systemctl", "restart", name}, timeout,
                               scratch_dir / "restart-service.out", std::move(stop));
    if (!outcome) {
        return outcome.error();
    }
    if (outcome->stopped) {
        return fail("systemctl restart " + name + " cut short: psguard is stopping");
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
