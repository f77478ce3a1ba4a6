// Paths cross the JSON, log and HTTP boundaries as UTF-8 on every platform. On Windows a path is
// UTF-16 inside, so conversions go through the Win32 converters instead of the ANSI code page.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#ifdef _WIN32
#include "platform/win_text.hpp"
#endif

namespace psguard {

// Never throws: on Windows, names that are not valid Unicode (NTFS allows unpaired surrogates)
// show U+FFFD; POSIX names pass through as bytes.
inline std::string path_to_utf8(const std::filesystem::path& path) {
#ifdef _WIN32
    return to_utf8(path.native());
#else
    return path.native();
#endif
}

inline std::filesystem::path utf8_to_path(std::string_view text) {
#ifdef _WIN32
    return std::filesystem::path(to_wide(text));
#else
    return std::filesystem::path(std::string(text));
#endif
}

}  // namespace psguard
