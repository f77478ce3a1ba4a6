#include "logging/event_ids.hpp"

#include <cstring>

namespace psguard {
namespace {

// spdlog carries nothing but text and a source location with a message, so log_event puts the
// event ID in the location's line, under this file name.
constexpr const char* kEventTag = "psguard-event";

EventType type_of(spdlog::level::level_enum level) {
    if (level >= spdlog::level::err) {
        return EventType::error;
    }
    return level == spdlog::level::warn ? EventType::warning : EventType::information;
}

}  // namespace

void log_event(EventId id, spdlog::level::level_enum level, std::string_view text) {
    spdlog::default_logger()->log(spdlog::source_loc{kEventTag, static_cast<int>(id), ""}, level,
                                  text);
}

std::optional<EventRecord> event_record(const spdlog::details::log_msg& message) {
    const bool tagged =
        message.source.filename != nullptr && std::strcmp(message.source.filename, kEventTag) == 0;
    if (tagged) {
        return EventRecord{static_cast<EventId>(message.source.line), type_of(message.level)};
    }
    if (message.level < spdlog::level::warn || message.level == spdlog::level::off) {
        return std::nullopt;
    }
    return EventRecord{EventId::other, type_of(message.level)};
}

}  // namespace psguard
