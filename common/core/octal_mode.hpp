// "0644": a POSIX file mode's permission and special bits, as chmod takes them (for messages and
// the journal).
#pragma once

#include <cstdint>
#include <string>

namespace psguard {

inline std::string octal_mode(std::uint32_t mode) {
    std::string text(4, '0');
    mode &= 07777;
    for (auto it = text.rbegin(); it != text.rend(); ++it, mode >>= 3) {
        *it = static_cast<char>('0' + (mode & 7));
    }
    return text;
}

}  // namespace psguard
