#include <windows.h>

#include <spdlog/sinks/win_eventlog_sink.h>
#include <spdlog/spdlog.h>

#include "logging/logging.hpp"

namespace psguard {

bool add_event_log_sink() {
    // Warnings, errors and heal actions (logged at warn) go to the Application log, source
    // "psguard" (registered by `psguard service install` and the MSI).
    auto sink = std::make_shared<spdlog::sinks::win_eventlog_sink_mt>("psguard");
    sink->set_level(spdlog::level::warn);
    spdlog::default_logger()->sinks().push_back(std::move(sink));
    return true;
}

}  // namespace psguard
