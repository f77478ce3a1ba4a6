// The agent's log, where the KB's symptoms of a Package Service account without rights on the
// PackageStatus folder appear: one <event .../> per line, in AeXNSAgent.exe's format.
#pragma once

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <string>

namespace psguard::simulator {

struct EventContext {
    std::time_t now = 0;                  // local time, written as date='Mon DD HH:MM:SS'
    std::string host_name;                // hostName
    long pid = 0;                         // pid: the simulator's
    long thread = 0;                      // thread: the writing thread's id
    std::uint64_t tick_count = 0;         // tickCount of the first event (monotonic ms)
    std::uint64_t second_tick_count = 0;  // of the second one, read after the first
};

// The context of this process, now.
EventContext current_event_context();

// The two lines (each ending in '\n') the agent logs when it is denied creating `path`:
//   source CreateDirectoryPath: Cannot create directory: 0x80070005 [Access is denied] <path>
//   source EventTransport: Error while copying event to capture directory: Access is denied
//   (-2147024891)
std::string access_denied_events(const EventContext& context, const std::string& path);

// Appends those lines to `log` in one write (created 0644 if missing; a symbolic link is
// refused). Throws std::system_error on failure.
void append_access_denied(const std::filesystem::path& log, const std::string& path);

}  // namespace psguard::simulator
