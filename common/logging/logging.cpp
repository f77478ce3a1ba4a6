#include "logging/logging.hpp"

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <utility>
#include <vector>

#include "core/utf8_path.hpp"

namespace psguard {

LoggingSession::~LoggingSession() {
    end();
}

LoggingSession::LoggingSession(LoggingSession&& other) noexcept
    : active_(std::exchange(other.active_, false)) {}

LoggingSession& LoggingSession::operator=(LoggingSession&& other) noexcept {
    if (this != &other) {
        end();
        active_ = std::exchange(other.active_, false);
    }
    return *this;
}

void LoggingSession::end() {
    if (!active_) {
        return;
    }
    active_ = false;
    // spdlog::shutdown() joins the periodic flusher's thread before it drops the loggers.
    if (auto logger = spdlog::default_logger()) {
        logger->flush();
    }
    spdlog::shutdown();
}

Result<LoggingSession> setup_logging(const LogConfig& config) {
    std::vector<spdlog::sink_ptr> sinks;
    if (config.to_stderr) {
        sinks.push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
    }
    if (!config.file.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(config.file.parent_path(), ec);
        try {
            sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
                path_to_utf8(config.file), config.max_file_bytes, config.max_files));
        } catch (const spdlog::spdlog_ex& e) {
            return fail("cannot open the log file " + path_to_utf8(config.file) + ": " + e.what());
        }
    }
    auto logger = std::make_shared<spdlog::logger>("psguard", sinks.begin(), sinks.end());
    logger->set_level(spdlog::level::from_str(config.level));
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l %v");
    logger->flush_on(spdlog::level::warn);  // warnings, errors and heal actions: at once
    spdlog::set_default_logger(std::move(logger));
    if (config.to_event_log) {
        add_event_log_sink();
    }
    spdlog::flush_every(kLogFlushInterval);  // the rest: a thread, stopped by ~LoggingSession
    return LoggingSession(true);
}

}  // namespace psguard
