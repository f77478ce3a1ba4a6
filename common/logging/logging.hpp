// The one spdlog setup of the process: a rotating file in the state folder, plus stderr (Linux:
// systemd's journal reads it) or the Windows Application Event Log (source "psguard") for
// warnings, errors and every heal action. Set once at start; everything else logs through
// spdlog's default logger.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

#include "core/result.hpp"

namespace psguard {

struct LogConfig {
    std::filesystem::path file;  // empty: no file
    std::size_t max_file_bytes = 10 * 1024 * 1024;
    std::size_t max_files = 5;
    bool to_stderr = true;
    bool to_event_log = false;   // Windows only
    std::string level = "info";  // trace, debug, info, warn, error
};

Status setup_logging(const LogConfig& config);

// The Event Log sink (Windows) or nothing (POSIX); split out so the POSIX build has no
// Windows headers. Returns false when the platform has no event log.
bool add_event_log_sink();

}  // namespace psguard
