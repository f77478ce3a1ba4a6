// The one spdlog setup of the process: a rotating file in the state folder, plus stderr (Linux:
// systemd's journal reads it) or the Windows Application Event Log (source "psguard") for
// warnings, errors and every heal action. Set once at start; everything else logs through
// spdlog's default logger. Warnings and errors (heal actions are warnings) reach the file at
// once, everything else within kLogFlushInterval, so a killed process leaves its log behind.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
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

inline constexpr std::chrono::seconds kLogFlushInterval{2};

class LogFlusher;

// Owns the process's logging from setup_logging() on: its destruction stops the flusher's
// thread (logging/log_flusher.hpp), flushes every sink and then drops the loggers. Destroy it only
// after every thread that may log has been joined: a log call after spdlog's shutdown finds a null
// logger.
class LoggingSession {
  public:
    LoggingSession() = default;  // owns nothing
    ~LoggingSession();
    LoggingSession(LoggingSession&& other) noexcept;
    LoggingSession& operator=(LoggingSession&& other) noexcept;
    LoggingSession(const LoggingSession&) = delete;
    LoggingSession& operator=(const LoggingSession&) = delete;

  private:
    friend Result<LoggingSession> setup_logging(const LogConfig& config);
    explicit LoggingSession(std::shared_ptr<LogFlusher> flusher);
    void end();

    std::shared_ptr<LogFlusher> flusher_;
    bool active_ = false;
};

Result<LoggingSession> setup_logging(const LogConfig& config);

// The Event Log sink (Windows) or nothing (POSIX); split out so the POSIX build has no
// Windows headers. Returns false when the platform has no event log.
bool add_event_log_sink();

}  // namespace psguard
