#include "platform/spawn_posix.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

#include <system_error>

extern char** environ;

namespace psguard {
namespace {

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

Result<pid_t> spawn_process(const std::vector<std::string>& argv,
                            const std::filesystem::path& output_file, SpawnOptions options) {
    if (argv.empty()) {
        return fail("empty command");
    }
    SpawnSetup setup;
    const std::string output = output_file.native();
    posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(
        &setup.actions, STDOUT_FILENO, output.c_str(),
        O_WRONLY | O_CREAT | (options.truncate_output ? O_TRUNC : O_APPEND), 0600);
    posix_spawn_file_actions_adddup2(&setup.actions, STDOUT_FILENO, STDERR_FILENO);
    if (options.own_process_group) {
        posix_spawnattr_setflags(&setup.attributes, POSIX_SPAWN_SETPGROUP);
        posix_spawnattr_setpgroup(&setup.attributes, 0);
    }
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
    return pid;
}

}  // namespace psguard
