#include "core/utc_time.hpp"

#include <cstdio>

namespace psguard {

TimePoint now_seconds() {
    return std::chrono::floor<std::chrono::seconds>(Clock::now());
}

std::string format_utc(TimePoint time) {
    using namespace std::chrono;
    const auto day = floor<days>(time);
    const year_month_day date{day};
    const hh_mm_ss clock{time - day};
    char text[32];
    std::snprintf(text, sizeof(text), "%04d-%02u-%02uT%02d:%02d:%02dZ",
                  static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                  static_cast<unsigned>(date.day()), static_cast<int>(clock.hours().count()),
                  static_cast<int>(clock.minutes().count()),
                  static_cast<int>(clock.seconds().count()));
    return text;
}

std::optional<TimePoint> parse_utc(std::string_view text) {
    using namespace std::chrono;
    int y = 0;
    unsigned mo = 0;
    unsigned d = 0;
    int h = 0;
    int mi = 0;
    int s = 0;
    const std::string copy(text);
    char tail = '\0';
    const int fields =
        std::sscanf(copy.c_str(), "%4d-%2u-%2uT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &tail);
    const bool date_only = fields == 3 && copy.size() == 10;
    if (!date_only && (fields != 7 || tail != 'Z' || copy.back() != 'Z')) {
        return std::nullopt;
    }
    const year_month_day date{year{y}, month{mo}, day{d}};
    if (!date.ok() || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) {
        return std::nullopt;
    }
    return TimePoint{sys_days{date}} + hours{h} + minutes{mi} + seconds{s};
}

}  // namespace psguard
