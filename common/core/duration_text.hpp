// A duration for people, two units at most: "45 s", "3 min 5 s", "2 h 5 min", "4 d 3 h".
#pragma once

#include <cstdint>
#include <string>

namespace psguard {

inline std::string format_duration(std::int64_t seconds) {
    const auto two = [](std::int64_t big, const char* big_unit, std::int64_t small,
                        const char* small_unit) {
        return std::to_string(big) + big_unit + std::to_string(small) + small_unit;
    };
    if (seconds >= 86400) {
        return two(seconds / 86400, " d ", (seconds % 86400) / 3600, " h");
    }
    if (seconds >= 3600) {
        return two(seconds / 3600, " h ", (seconds % 3600) / 60, " min");
    }
    if (seconds >= 60) {
        return two(seconds / 60, " min ", seconds % 60, " s");
    }
    return std::to_string(seconds) + " s";
}

}  // namespace psguard
