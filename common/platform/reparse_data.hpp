// The REPARSE_DATA_BUFFER that FSCTL_GET_REPARSE_POINT returns (ntifs.h), parsed portably so
// that the Windows link code can be tested anywhere: Wine cannot create links, and mingw's user
// headers do not all define the structure. Little-endian, as Windows is.
//
//   ULONG  ReparseTag; USHORT ReparseDataLength; USHORT Reserved;            (8 bytes)
//   USHORT SubstituteNameOffset, SubstituteNameLength,
//          PrintNameOffset, PrintNameLength;                                  (8 bytes)
//   ULONG  Flags;                                      (symlinks only: SYMLINK_FLAG_RELATIVE = 1)
//   WCHAR  PathBuffer[];   names at byte offsets relative to PathBuffer, not NUL-terminated
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace psguard {

inline constexpr std::uint32_t kReparseTagMountPoint = 0xA0000003u;  // IO_REPARSE_TAG_MOUNT_POINT
inline constexpr std::uint32_t kReparseTagSymlink = 0xA000000Cu;     // IO_REPARSE_TAG_SYMLINK

struct ReparseTarget {
    bool junction = false;  // mount point; otherwise a symlink
    bool relative = false;  // symlink with SYMLINK_FLAG_RELATIVE: relative to the link's folder
    std::u16string target;  // NT prefix removed: "C:\Store\x", "\\server\share\x", "..\x"
};

namespace reparse_detail {

inline std::uint32_t read_le(const unsigned char* data, std::size_t bytes) {
    std::uint32_t value = 0;
    for (std::size_t i = bytes; i > 0; --i) {
        value = (value << 8) | data[i - 1];
    }
    return value;
}

inline std::u16string read_name(const unsigned char* data, std::size_t size,
                                std::size_t path_buffer, std::size_t offset, std::size_t length) {
    const std::size_t begin = path_buffer + offset;
    if (length == 0 || length % 2 != 0 || begin > size || length > size - begin) {
        return {};
    }
    std::u16string name;
    name.reserve(length / 2);
    for (std::size_t at = begin; at < begin + length; at += 2) {
        name.push_back(static_cast<char16_t>(read_le(data + at, 2)));
    }
    return name;
}

inline bool starts_with(const std::u16string& text, std::u16string_view prefix) {
    return std::u16string_view(text).substr(0, prefix.size()) == prefix;
}

}  // namespace reparse_detail

// The target of a symlink or junction, from the raw bytes; an error for other tags and for
// truncated or inconsistent data.
inline Result<ReparseTarget> parse_reparse_data(const unsigned char* data, std::size_t size) {
    using reparse_detail::read_le;
    constexpr std::size_t kHeader = 8;
    constexpr std::size_t kNames = 8;
    if (size < kHeader) {
        return fail("truncated reparse data");
    }
    const std::uint32_t tag = read_le(data, 4);
    ReparseTarget parsed;
    std::size_t path_buffer = kHeader + kNames;
    if (tag == kReparseTagMountPoint) {
        parsed.junction = true;
    } else if (tag == kReparseTagSymlink) {
        path_buffer += 4;  // Flags
    } else {
        char text[32];
        std::snprintf(text, sizeof text, "0x%08lX", static_cast<unsigned long>(tag));
        return fail(std::string("reparse tag ") + text + ", not a symlink or junction");
    }
    if (size < path_buffer) {
        return fail("truncated reparse data");
    }
    if (!parsed.junction) {
        parsed.relative = (read_le(data + kHeader + kNames, 4) & 0x1u) != 0;
    }
    const std::size_t names = kHeader;
    parsed.target = reparse_detail::read_name(data, size, path_buffer, read_le(data + names, 2),
                                              read_le(data + names + 2, 2));
    if (parsed.target.empty()) {  // some tools fill only the print name
        parsed.target = reparse_detail::read_name(
            data, size, path_buffer, read_le(data + names + 4, 2), read_le(data + names + 6, 2));
    }
    if (parsed.target.empty()) {
        return fail("reparse data without a target name");
    }
    // "\??\C:\x" -> "C:\x", "\??\UNC\srv\share" -> "\\srv\share" (the same for "\\?\").
    for (const std::u16string_view prefix :
         {std::u16string_view(u"\\??\\"), std::u16string_view(u"\\\\?\\")}) {
        if (reparse_detail::starts_with(parsed.target, prefix)) {
            parsed.target.erase(0, prefix.size());
            if (reparse_detail::starts_with(parsed.target, u"UNC\\")) {
                parsed.target.replace(0, 4, u"\\\\");
            }
            break;
        }
    }
    return parsed;
}

}  // namespace psguard
