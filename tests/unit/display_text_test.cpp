#include "core/display_text.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "core/utf8_path.hpp"

namespace psguard {
namespace {

using namespace std::string_literals;

// nlohmann's strict check (what made `check --json` abort): true when the text dumps as JSON.
bool dumps_as_json(const std::string& text) {
    try {
        (void)nlohmann::json(text).dump();
        return true;
    } catch (const nlohmann::json::type_error&) {
        return false;
    }
}

// Deterministic byte strings, biased towards UTF-8 lead bytes, controls and backslashes.
std::string random_bytes(std::uint32_t& state, std::size_t length) {
    static constexpr unsigned char kInteresting[] = {0x00, 0x0A, 0x1B, 0x5C, 0x78, 0x41, 0x66,
                                                     0x7F, 0x80, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0,
                                                     0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF};
    std::string out;
    for (std::size_t i = 0; i < length; ++i) {
        state = state * 1664525u + 1013904223u;  // a plain LCG: the same strings every run
        const std::uint32_t pick = state >> 24;
        out += static_cast<char>(pick < 160 ? kInteresting[pick % sizeof kInteresting]
                                            : static_cast<unsigned char>(state >> 16));
    }
    return out;
}

TEST(ValidUtf8, KeepsValidTextAsItIs) {
    for (const std::string& text : {"Ready"s, "Pr\xC3\xAAt"s, "\xE2\x82\xAC 5"s,
                                    "\xF0\x9F\x98\x80"s, "line\none\x1B"s, ""s, "\xEF\xBF\xBD"s}) {
        EXPECT_EQ(valid_utf8(text), text);
    }
}

TEST(ValidUtf8, ReplacesEachInvalidByteWithTheReplacementCharacter) {
    EXPECT_EQ(valid_utf8("Re\xFF"
                         "ady"),
              "Re\xEF\xBF\xBD"
              "ady");
    EXPECT_EQ(valid_utf8("\x80"), "\xEF\xBF\xBD");                  // lone continuation
    EXPECT_EQ(valid_utf8("\xC3"), "\xEF\xBF\xBD");                  // cut sequence
    EXPECT_EQ(valid_utf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
    EXPECT_EQ(valid_utf8("\xE0\x80\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
    EXPECT_EQ(valid_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
    EXPECT_EQ(valid_utf8("\xF4\x90\x80\x80").size(), 12u);                          // > U+10FFFF
    EXPECT_EQ(valid_utf8("a\xE2\x82"), "a\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(EscapeBytes, EscapesInvalidBytesAndControlsOnly) {
    EXPECT_EQ(escape_bytes("stray\xFF"), "stray\\xff");
    EXPECT_EQ(escape_bytes("a\nb\x1B[2J\x7F"), "a\\x0ab\\x1b[2J\\x7f");
    EXPECT_EQ(escape_bytes("Pr\xC3\xAAt"), "Pr\xC3\xAAt");
    EXPECT_EQ(escape_bytes("C:\\temp\\file"), "C:\\temp\\file");  // a backslash as such stays
    // A backslash that would read as an escape is escaped itself, so that decoding is exact.
    EXPECT_EQ(escape_bytes("a\\x41"), "a\\x5cx41");
    EXPECT_EQ(escape_bytes("a\\xZ1"), "a\\xZ1");
}

TEST(EscapeBytes, UnescapeGivesTheBytesBackAndTheTextIsAlwaysValidJson) {
    for (const std::string& bytes : {"stray\xFF"s, "a\\x41"s, "\\\xFF"s, "\\x\xFF"s, "\\x4\xFF"s,
                                     "\\\\xff"s, "tab\there"s, "\xED\xA0\x80"s, "\\xFF"s}) {
        const std::string shown = escape_bytes(bytes);
        EXPECT_EQ(unescape_bytes(shown), bytes) << shown;
        EXPECT_TRUE(dumps_as_json(shown)) << shown;
        EXPECT_EQ(shown.find('\n'), std::string::npos);
    }
    std::uint32_t state = 42;
    for (int i = 0; i < 4000; ++i) {
        const std::string bytes = random_bytes(state, 1 + static_cast<std::size_t>(i % 13));
        const std::string shown = escape_bytes(bytes);
        ASSERT_EQ(unescape_bytes(shown), bytes) << shown;
        ASSERT_TRUE(dumps_as_json(shown)) << shown;
        ASSERT_TRUE(dumps_as_json(valid_utf8(bytes)));
        ASSERT_TRUE(dumps_as_json(printable_line(bytes)));
    }
}

TEST(PrintableLine, NoValueCanStartALineOrMoveTheCursor) {
    EXPECT_EQ(printable_line("Ready\x1B[2J\r\nFORGED LINE"), "Ready\\x1b[2J\\x0d\\x0aFORGED LINE");
    EXPECT_EQ(printable_line("next\xC2\x85line\xC2\x9B"
                             "31m"),
              "next\\xc2\\x85line\\xc2\\x9b31m");
    EXPECT_EQ(printable_line("Re\xFF"
                             "ady"),
              "Re\\xffady");
    EXPECT_EQ(printable_line("Pr\xC3\xAAt \xC2\xA0ok"), "Pr\xC3\xAAt \xC2\xA0ok");
    // Already escaped text (a path as shown) is not escaped twice.
    EXPECT_EQ(printable_line(escape_bytes("stray\xFF")), "stray\\xff");
}

#ifndef _WIN32
TEST(Utf8Path, PosixNamesAreShownEscapedAndReadBackByteForByte) {
    const std::filesystem::path path("/srv/Package Delivery/stray\xFF\n\\x41");
    const std::string shown = path_to_utf8(path);
    EXPECT_EQ(shown, "/srv/Package Delivery/stray\\xff\\x0a\\x5cx41");
    EXPECT_EQ(escaped_utf8_to_path(shown), path);
    EXPECT_EQ(utf8_to_path("/a\\x41"), std::filesystem::path("/a\\x41"));  // typed text: as is
}
#endif

}  // namespace
}  // namespace psguard
