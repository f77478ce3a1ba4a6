#include "evidence/log_text.hpp"

namespace psguard {
namespace {

void append_utf8(std::uint32_t code_point, std::string& out) {
    if (code_point < 0x80) {
        out.push_back(static_cast<char>(code_point));
    } else if (code_point < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    } else if (code_point < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
    }
}

constexpr std::uint32_t kReplacementCodePoint = 0xFFFD;

std::size_t decode_utf16(std::string_view input, bool big_endian, std::string& out) {
    const auto unit_at = [&](std::size_t at) {
        const auto first = static_cast<unsigned char>(input[at]);
        const auto second = static_cast<unsigned char>(input[at + 1]);
        return big_endian ? static_cast<std::uint32_t>((first << 8) | second)
                          : static_cast<std::uint32_t>((second << 8) | first);
    };
    std::size_t at = 0;
    while (at + 2 <= input.size()) {
        const std::uint32_t unit = unit_at(at);
        if (unit >= 0xD800 && unit <= 0xDBFF) {
            if (at + 4 > input.size()) {
                break;  // the low surrogate is not here yet
            }
            const std::uint32_t low = unit_at(at + 2);
            if (low >= 0xDC00 && low <= 0xDFFF) {
                append_utf8(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00), out);
                at += 4;
                continue;
            }
            append_utf8(kReplacementCodePoint, out);
        } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
            append_utf8(kReplacementCodePoint, out);
        } else {
            append_utf8(unit, out);
        }
        at += 2;
    }
    return at;
}

}  // namespace

std::string_view to_string(LogEncoding encoding) {
    switch (encoding) {
        case LogEncoding::utf8:
            return "utf-8";
        case LogEncoding::utf16le:
            return "utf-16le";
        case LogEncoding::utf16be:
            return "utf-16be";
        case LogEncoding::unknown:
            break;
    }
    return "unknown";
}

std::optional<LogEncoding> log_encoding_from_string(std::string_view text) {
    for (LogEncoding encoding :
         {LogEncoding::unknown, LogEncoding::utf8, LogEncoding::utf16le, LogEncoding::utf16be}) {
        if (to_string(encoding) == text) {
            return encoding;
        }
    }
    return std::nullopt;
}

DetectedEncoding detect_log_encoding(std::string_view head) {
    const auto byte = [&](std::size_t at) { return static_cast<unsigned char>(head[at]); };
    if (head.size() >= 3 && byte(0) == 0xEF && byte(1) == 0xBB && byte(2) == 0xBF) {
        return {LogEncoding::utf8, 3};
    }
    if (head.size() < 2) {
        return {};  // one byte could be half of a UTF-16 unit or of a BOM
    }
    if (byte(0) == 0xFF && byte(1) == 0xFE) {
        return {LogEncoding::utf16le, 2};
    }
    if (byte(0) == 0xFE && byte(1) == 0xFF) {
        return {LogEncoding::utf16be, 2};
    }
    if (byte(0) != 0 && byte(1) == 0) {
        return {LogEncoding::utf16le, 0};
    }
    if (byte(0) == 0 && byte(1) != 0) {
        return {LogEncoding::utf16be, 0};
    }
    if (head.size() < 3 && byte(0) == 0xEF && byte(1) == 0xBB) {
        return {LogEncoding::unknown, 0};  // a UTF-8 BOM still being written
    }
    return {LogEncoding::utf8, 0};
}

std::size_t decode_log_text(LogEncoding encoding, std::string_view input, std::string& out) {
    switch (encoding) {
        case LogEncoding::utf16le:
            return decode_utf16(input, false, out);
        case LogEncoding::utf16be:
            return decode_utf16(input, true, out);
        case LogEncoding::utf8:
        case LogEncoding::unknown:
            break;
    }
    out.append(input);
    return input.size();
}

std::uint64_t log_source_bytes(LogEncoding encoding, std::string_view decoded) {
    if (encoding != LogEncoding::utf16le && encoding != LogEncoding::utf16be) {
        return decoded.size();
    }
    // Each decoded code point came from one UTF-16 unit, or two for a 4-byte UTF-8 sequence.
    std::uint64_t bytes = 0;
    for (const char c : decoded) {
        const auto lead = static_cast<unsigned char>(c);
        if ((lead & 0xC0) == 0x80) {
            continue;
        }
        bytes += lead >= 0xF0 ? 4 : 2;
    }
    return bytes;
}

std::size_t log_input_for_room(LogEncoding encoding, std::size_t room) {
    if (encoding != LogEncoding::utf16le && encoding != LogEncoding::utf16be) {
        return room;
    }
    return (room / 3) * 2;
}

}  // namespace psguard
