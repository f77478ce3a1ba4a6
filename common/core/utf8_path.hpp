// Paths cross the JSON, log and HTTP boundaries as UTF-8 on every platform; on Windows a
// path is UTF-16 inside, so conversions go through u8string instead of the ANSI code page.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace psguard {

inline std::string path_to_utf8(const std::filesystem::path& path) {
    const std::u8string text = path.u8string();
    return std::string(text.begin(), text.end());
}

inline std::filesystem::path utf8_to_path(std::string_view text) {
    return std::filesystem::path(std::u8string(text.begin(), text.end()));
}

}  // namespace psguard
