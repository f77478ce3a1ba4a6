#include "logging/logging.hpp"

#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <utility>
#include <vector>

#include "core/utf8_path.hpp"
#include "logging/log_flusher.hpp"

namespace psguard {
namespace {

// The logger's last sink: tells the flusher that the others hold a line to flush.
class FlushSoonSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
  public:
    explicit FlushSoonSink(std::shared_ptr<LogFlusher> flusher) : flusher_(std::move(flusher)) {}

  protected:
    void sink_it_(const spdlog::details::log_msg&) override { flusher_->written(); }
    void flush_() override {}

  private:
    std::shared_ptr<LogFlusher> flusher_;  // thread-safe itself: no sink mutex needed
};

}  // namespace

LoggingSession::~LoggingSession() {
    end();
}

LoggingSession::LoggingSession(std::shared_ptr<LogFlusher> flusher)
    : flusher_(std::move(flusher)), active_(true) {}

LoggingSession::LoggingSession(LoggingSession&& other) noexcept
    : flusher_(std::move(other.flusher_)), active_(std::exchange(other.active_, false)) {}

LoggingSession& LoggingSession::operator=(LoggingSession&& other) noexcept {
    if (this != &other) {
        end();
        flusher_ = std::move(other.flusher_);
        active_ = std::exchange(other.active_, false);
    }
    return *this;
}

void LoggingSession::end() {
    if (!active_) {
        return;
    }
    active_ = false;
    if (flusher_) {
        flusher_->stop();  // its sink stays with the logger until shutdown(), a no-op by now
    }
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
    auto flusher = std::make_shared<LogFlusher>(kLogFlushInterval, [] {
        if (auto logger = spdlog::default_logger()) {
            logger->flush();
        }
    });
    sinks.push_back(std::make_shared<FlushSoonSink>(flusher));
    auto logger = std::make_shared<spdlog::logger>("psguard", sinks.begin(), sinks.end());
    logger->set_level(spdlog::level::from_str(config.level));
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l %v");
    logger->flush_on(spdlog::level::warn);  // warnings, errors and heal actions: at once
    spdlog::set_default_logger(std::move(logger));
    if (config.to_event_log) {
        add_event_log_sink();
    }
    return LoggingSession(std::move(flusher));  // the rest: within kLogFlushInterval
}

}  // namespace psguard
