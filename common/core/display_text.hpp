// Bytes from outside psguard (file names, XML values, the NS answer, the agent's log) as text
// that every output takes: JSON (which must be valid UTF-8), the console table, the endpoint and
// the log. Text is made valid where it enters; paths keep their bytes and are escaped only where
// shown (core/utf8_path.hpp), reversibly, so that the journal can name any file.
#pragma once

#include <string>
#include <string_view>

namespace psguard {

// Valid UTF-8 (RFC 3629: no overlong forms, surrogates or code points above U+10FFFF) as it is;
// every byte that is not part of a valid sequence becomes U+FFFD. For values read from files,
// the NS or the agent's log.
std::string valid_utf8(std::string_view bytes);

// Reversible escaping of raw name bytes as valid, single-line UTF-8: a byte that is not part of
// a valid UTF-8 sequence, a C0 control character or DEL becomes "\xHH" (two lower-case hex
// digits), and a backslash that would read as such an escape ("\x" and two hex digits follow)
// becomes "\x5c". Every other byte, backslashes included, is kept.
std::string escape_bytes(std::string_view bytes);

// The inverse of escape_bytes: every "\xHH" becomes byte HH; everything else is kept.
std::string unescape_bytes(std::string_view text);

// One line of console output: C0 and C1 control characters and DEL (ESC, CR, LF, ...) and bytes
// that are not valid UTF-8 become "\xHH" (a C1 character as its two bytes), so that no value
// can start a line or move the cursor. For display only: backslashes are kept as they are.
std::string printable_line(std::string_view text);

// "1 package", "3 packages".
inline std::string plural(std::size_t count, std::string_view one, std::string_view many) {
    return std::to_string(count) + ' ' + std::string(count == 1 ? one : many);
}

}  // namespace psguard
