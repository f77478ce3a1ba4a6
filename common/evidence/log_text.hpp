// The agent's log as text: which encoding a file uses (UTF-8, or UTF-16 LE/BE as older agents
// write), and incremental conversion to UTF-8 that survives any chunk boundary. Offsets always
// refer to the file's bytes, so the reader maps decoded text back to where it came from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace psguard {

enum class LogEncoding { unknown, utf8, utf16le, utf16be };

// "utf-8", "utf-16le", "utf-16be", "unknown": for the cursor JSON.
std::string_view to_string(LogEncoding encoding);
std::optional<LogEncoding> log_encoding_from_string(std::string_view text);

struct DetectedEncoding {
    LogEncoding encoding = LogEncoding::unknown;
    std::size_t bom_bytes = 0;  // to skip: the BOM is not text
};

// From the first bytes of a file: a BOM decides; without one, "<\0" / "\0<" mean UTF-16 (the
// agent's events start with '<'), anything else UTF-8. `unknown` while fewer than 2 bytes exist.
DetectedEncoding detect_log_encoding(std::string_view head);

// Appends `input` as UTF-8 to `out` and returns how many input bytes were used. A trailing odd
// byte or a high surrogate whose partner is not read yet is left for the next call (it may be
// half-written); unpaired surrogates become U+FFFD. UTF-8 passes through unchanged.
std::size_t decode_log_text(LogEncoding encoding, std::string_view input, std::string& out);

// How many file bytes produced `decoded`, a prefix of what decode_log_text appended (it may end
// inside a UTF-8 sequence: continuation bytes count as nothing, their lead byte for all).
std::uint64_t log_source_bytes(LogEncoding encoding, std::string_view decoded);

// The most file bytes whose UTF-8 form always fits in `room` bytes (UTF-16: 2 bytes can become
// 3). Even for UTF-16, so that reads stay unit-aligned.
std::size_t log_input_for_room(LogEncoding encoding, std::size_t room);

}  // namespace psguard
