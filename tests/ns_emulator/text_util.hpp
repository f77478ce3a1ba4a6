// Small string helpers shared by the emulator's request handling.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace psguard::emulator {

inline char ascii_lower(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

inline std::string to_lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
    return out;
}

inline bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return ascii_lower(x) == ascii_lower(y);
           });
}

inline bool istarts_with(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

// GUIDs compare without braces and case, the way SQL Server and the NS treat them.
inline std::string normalize_guid(std::string_view guid) {
    if (guid.size() >= 2 && guid.front() == '{' && guid.back() == '}') {
        guid = guid.substr(1, guid.size() - 2);
    }
    return to_lower(guid);
}

}  // namespace psguard::emulator
