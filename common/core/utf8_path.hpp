// Paths cross the JSON, log and HTTP boundaries as UTF-8 on every platform. On Windows a path is
// UTF-16 inside, so conversions go through the Win32 converters instead of the ANSI code page.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/display_text.hpp"

#ifdef _WIN32
#include "platform/win_text.hpp"
#endif

namespace psguard {

// A path as valid, single-line UTF-8, for showing and for storing (the journal). Never throws.
// POSIX names are bytes: those that are not UTF-8, and control characters, are escaped as
// "\xHH" (escape_bytes), which escaped_utf8_to_path reverses. On Windows, names that are not
// valid Unicode (NTFS allows unpaired surrogates) show U+FFFD; Win32 names hold no control
// characters.
inline std::string path_to_utf8(const std::filesystem::path& path) {
#ifdef _WIN32
    return to_utf8(path.native());
#else
    return escape_bytes(path.native());
#endif
}

// Text a person or a document gave (configuration, command line, fixed names) as a path.
inline std::filesystem::path utf8_to_path(std::string_view text) {
#ifdef _WIN32
    return std::filesystem::path(to_wide(text));
#else
    return std::filesystem::path(std::string(text));
#endif
}

// The path path_to_utf8 showed, byte for byte: for paths psguard stored itself.
inline std::filesystem::path escaped_utf8_to_path(std::string_view text) {
#ifdef _WIN32
    return std::filesystem::path(to_wide(text));
#else
    return std::filesystem::path(unescape_bytes(text));
#endif
}

}  // namespace psguard
