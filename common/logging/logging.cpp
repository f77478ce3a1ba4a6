#include "logging/logging.hpp"

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <vector>

#include "core/utf8_path.hpp"

namespace psguard {

Status setup_logging(const LogConfig& config) {
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
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(std::move(logger));
    if (config.to_event_log) {
        add_event_log_sink();
    }
    return {};
}

}  // namespace psguard
