// ASCII helpers for protocol tokens, XML and column names, status words, log text and paths:
// never locale-dependent; case folding leaves bytes outside A-Z as they are (UTF-8 passes through).
#pragma once

#include <string>
#include <string_view>

namespace psguard {

constexpr char ascii_lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string ascii_lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        c = ascii_lower(c);
    }
    return out;
}

constexpr char ascii_upper(char c) {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

inline std::string ascii_upper(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        c = ascii_upper(c);
    }
    return out;
}

// Without the spaces, tabs, carriage returns and line feeds at either end.
constexpr std::string_view ascii_trim(std::string_view text) {
    constexpr std::string_view space = " \t\r\n";
    const auto first = text.find_first_not_of(space);
    if (first == std::string_view::npos) {
        return {};
    }
    return text.substr(first, text.find_last_not_of(space) - first + 1);
}

// Either separator: Windows paths arrive with '\\' or '/', POSIX ones with '/'.
constexpr bool is_path_separator(char c) {
    return c == '\\' || c == '/';
}

constexpr bool ascii_iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != ascii_lower(b[i])) {
            return false;
        }
    }
    return true;
}

}  // namespace psguard
