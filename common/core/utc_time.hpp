// Times in psguard's state, journal and JSON are UTC, ISO 8601, to the second:
// "2026-11-26T06:30:00Z".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace psguard {

using Clock = std::chrono::system_clock;
using TimePoint = std::chrono::time_point<Clock, std::chrono::seconds>;

TimePoint now_seconds();
std::string format_utc(TimePoint time);
// Also "YYYY-MM-DD" (midnight) for command-line convenience.
std::optional<TimePoint> parse_utc(std::string_view text);

}  // namespace psguard
