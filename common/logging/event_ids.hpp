// The Windows Event Log entries psguard writes, one event ID per kind, so that Event Viewer shows
// the message table's text (service/resources/psguard_messages.mc, compiled into psguard.exe)
// and monitoring (SCOM, ...) can key on the ID. The IDs are documented in docs/windows-events.md
// and never change meaning. Portable: the POSIX build logs the same messages without IDs.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include <spdlog/spdlog.h>

namespace psguard {

enum class EventId : std::uint16_t {
    service_started = 1000,
    service_stopped = 1001,
    cycle_findings = 2000,  // a cycle ended with findings (exit 1)
    ns_unusable = 2001,     // the NS could not be asked or its answer was unusable (exit 3)
    acl_missing = 2002,     // the credential account lacks rights on the package folders
    heal_action = 3000,     // a stale package's files were moved to the quarantine
    heal_failed = 3001,     // a heal action failed, or the NS did not turn Ready after it
    acl_repair = 3002,      // psguard changed (or tried to change) a folder's permissions
    breaker_open = 3003,    // the mass-event breaker stopped healing
    other = 9000,           // any other warning or error
};

inline constexpr std::array kAllEventIds = {EventId::service_started, EventId::service_stopped,
                                            EventId::cycle_findings,  EventId::ns_unusable,
                                            EventId::acl_missing,     EventId::heal_action,
                                            EventId::heal_failed,     EventId::acl_repair,
                                            EventId::breaker_open,    EventId::other};

enum class EventType { information, warning, error };

struct EventRecord {
    EventId id = EventId::other;
    EventType type = EventType::information;
    bool operator==(const EventRecord&) const = default;
};

// Logs `text` at `level` through every sink of the default logger; the Event Log sink files it
// under `id`, whatever the level.
void log_event(EventId id, spdlog::level::level_enum level, std::string_view text);

// What the Event Log sink makes of a message: one logged by log_event keeps its ID; any other
// message is EventId::other when it is a warning or worse, and not for the Event Log otherwise.
std::optional<EventRecord> event_record(const spdlog::details::log_msg& message);

}  // namespace psguard
