// POSIX only: starting a program without a shell, stdin from /dev/null and stdout+stderr into a
// file — the one spawn shared by run_process and by longer-lived helper processes.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace psguard {

struct SpawnOptions {
    bool truncate_output = true;     // false: append to the output file
    bool own_process_group = false;  // so that killing -pid reaches what it started too
};

// argv[0] is looked up in PATH when it has no '/'.
Result<pid_t> spawn_process(const std::vector<std::string>& argv,
                            const std::filesystem::path& output_file, SpawnOptions options);

}  // namespace psguard
