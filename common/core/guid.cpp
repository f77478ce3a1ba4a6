#include "core/guid.hpp"

#include <cctype>

namespace psguard {
namespace {

constexpr std::size_t kBareGuidLength = 36;  // 8-4-4-4-12 hex digits with dashes

bool is_bare_guid(std::string_view s) {
    if (s.size() != kBareGuidLength) {
        return false;
    }
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (dash_position ? c != '-' : !std::isxdigit(c)) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::optional<std::string> normalise_guid(std::string_view text, bool allow_bare) {
    std::string_view bare;
    if (text.size() == kBareGuidLength + 2 && text.front() == '{' && text.back() == '}') {
        bare = text.substr(1, kBareGuidLength);
    } else if (allow_bare) {
        bare = text;
    } else {
        return std::nullopt;
    }
    if (!is_bare_guid(bare)) {
        return std::nullopt;
    }
    std::string id = "{";
    for (char c : bare) {
        id.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    id.push_back('}');
    return id;
}

}  // namespace psguard
