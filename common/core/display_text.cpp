#include "core/display_text.hpp"

#include <cstddef>

namespace psguard {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr std::string_view kHexDigits = "0123456789abcdef";

unsigned char byte_at(std::string_view text, std::size_t i) {
    return static_cast<unsigned char>(text[i]);
}

bool in_range(std::string_view text, std::size_t i, unsigned char low, unsigned char high) {
    return i < text.size() && byte_at(text, i) >= low && byte_at(text, i) <= high;
}

// The length of the well-formed UTF-8 sequence starting at text[i] (Unicode table 3-7), or 0.
std::size_t sequence_length(std::string_view text, std::size_t i) {
    const unsigned char lead = byte_at(text, i);
    if (lead < 0x80) {
        return 1;
    }
    // The allowed range of the second byte rules out overlong forms, surrogates and > U+10FFFF.
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    std::size_t length = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        low = lead == 0xE0 ? 0xA0 : 0x80;
        high = lead == 0xED ? 0x9F : 0xBF;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        low = lead == 0xF0 ? 0x90 : 0x80;
        high = lead == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    if (!in_range(text, i + 1, low, high)) {
        return 0;
    }
    for (std::size_t k = 2; k < length; ++k) {
        if (!in_range(text, i + k, 0x80, 0xBF)) {
            return 0;
        }
    }
    return length;
}

int hex_value(char c) {
    const auto at = kHexDigits.find(c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c);
    return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

bool is_escape_at(std::string_view text, std::size_t i) {
    return i + 3 < text.size() && text[i] == '\\' && text[i + 1] == 'x' &&
           hex_value(text[i + 2]) >= 0 && hex_value(text[i + 3]) >= 0;
}

void append_escaped(unsigned char byte, std::string& out) {
    out += "\\x";
    out += kHexDigits[byte >> 4];
    out += kHexDigits[byte & 0x0F];
}

bool is_c0_or_del(unsigned char byte) {
    return byte < 0x20 || byte == 0x7F;
}

// The shared walk: valid sequences are copied (or escaped byte by byte when `escape_c1` asks
// for a C1 control), invalid bytes and C0/DEL escaped.
std::string escape(std::string_view bytes, bool escape_backslash, bool escape_c1) {
    std::string out;
    out.reserve(bytes.size());
    for (std::size_t i = 0; i < bytes.size();) {
        const std::size_t length = sequence_length(bytes, i);
        const unsigned char lead = byte_at(bytes, i);
        const bool c1 = length == 2 && lead == 0xC2 && byte_at(bytes, i + 1) < 0xA0;
        if (length == 0 || (length == 1 && is_c0_or_del(lead)) || (c1 && escape_c1)) {
            const std::size_t count = length == 0 ? 1 : length;
            for (std::size_t k = 0; k < count; ++k) {
                append_escaped(byte_at(bytes, i + k), out);
            }
            i += count;
        } else if (escape_backslash && is_escape_at(bytes, i)) {
            append_escaped('\\', out);
            ++i;
        } else {
            out.append(bytes.substr(i, length));
            i += length;
        }
    }
    return out;
}

}  // namespace

std::string valid_utf8(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    for (std::size_t i = 0; i < bytes.size();) {
        const std::size_t length = sequence_length(bytes, i);
        if (length == 0) {
            out += kReplacement;
            ++i;
        } else {
            out.append(bytes.substr(i, length));
            i += length;
        }
    }
    return out;
}

std::string escape_bytes(std::string_view bytes) {
    return escape(bytes, /*escape_backslash=*/true, /*escape_c1=*/false);
}

std::string unescape_bytes(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        if (is_escape_at(text, i)) {
            out += static_cast<char>(hex_value(text[i + 2]) * 16 + hex_value(text[i + 3]));
            i += 4;
        } else {
            out += text[i];
            ++i;
        }
    }
    return out;
}

std::string printable_line(std::string_view text) {
    return escape(text, /*escape_backslash=*/false, /*escape_c1=*/true);
}

}  // namespace psguard
