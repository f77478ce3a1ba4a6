#include "evidence/event_scanner.hpp"
#include "evidence/log_text.hpp"

#include <gtest/gtest.h>

#include <string>

#include "evidence_test_support.hpp"

namespace psguard {
namespace {

// "Zürich €5 😀": 2-, 3- and 4-byte UTF-8 (the last a surrogate pair in UTF-16).
const std::string kMixed =
    "Z\xC3\xBCrich \xE2\x82\xAC"
    "5 \xF0\x9F\x98\x80!";

TEST(LogEncoding, DetectsBomsAndBomlessUtf16) {
    EXPECT_EQ(detect_log_encoding("\xEF\xBB\xBF<event").encoding, LogEncoding::utf8);
    EXPECT_EQ(detect_log_encoding("\xEF\xBB\xBF<event").bom_bytes, 3u);
    EXPECT_EQ(detect_log_encoding(std::string("\xFF\xFE<\0", 4)).encoding, LogEncoding::utf16le);
    EXPECT_EQ(detect_log_encoding(std::string("\xFF\xFE<\0", 4)).bom_bytes, 2u);
    EXPECT_EQ(detect_log_encoding(std::string("\xFE\xFF\0<", 4)).encoding, LogEncoding::utf16be);
    EXPECT_EQ(detect_log_encoding(std::string("<\0e\0", 4)).encoding, LogEncoding::utf16le);
    EXPECT_EQ(detect_log_encoding(std::string("<\0e\0", 4)).bom_bytes, 0u);
    EXPECT_EQ(detect_log_encoding(std::string("\0<\0e", 4)).encoding, LogEncoding::utf16be);
    EXPECT_EQ(detect_log_encoding("<event").encoding, LogEncoding::utf8);
    EXPECT_EQ(detect_log_encoding("<event").bom_bytes, 0u);
    // Too short to tell: a lone byte may be half of a unit or of a BOM.
    EXPECT_EQ(detect_log_encoding("<").encoding, LogEncoding::unknown);
    EXPECT_EQ(detect_log_encoding("\xEF\xBB").encoding, LogEncoding::unknown);
    EXPECT_EQ(detect_log_encoding("").encoding, LogEncoding::unknown);
}

TEST(LogEncoding, NamesRoundTrip) {
    for (LogEncoding e :
         {LogEncoding::unknown, LogEncoding::utf8, LogEncoding::utf16le, LogEncoding::utf16be}) {
        EXPECT_EQ(log_encoding_from_string(to_string(e)), e);
    }
    EXPECT_FALSE(log_encoding_from_string("latin1"));
}

// Every split point of the input, fed in two calls the way chunked reads do: the result is
// always the whole text, and the unused bytes are exactly the ones re-fed.
TEST(LogText, Utf16DecodesAcrossEverySplit) {
    for (const bool big_endian : {false, true}) {
        const std::string encoded = test::to_utf16(kMixed, big_endian, /*bom=*/false);
        const LogEncoding encoding = big_endian ? LogEncoding::utf16be : LogEncoding::utf16le;
        for (std::size_t split = 0; split <= encoded.size(); ++split) {
            std::string out;
            const std::size_t used =
                decode_log_text(encoding, std::string_view(encoded).substr(0, split), out);
            EXPECT_LE(used, split);
            EXPECT_GE(used + 3, split) << "at most a high surrogate and an odd byte are left";
            const std::size_t rest =
                decode_log_text(encoding, std::string_view(encoded).substr(used), out);
            EXPECT_EQ(used + rest, encoded.size());
            EXPECT_EQ(out, kMixed) << "split at " << split << (big_endian ? " BE" : " LE");
            // The decoded text maps back to the file bytes it came from.
            EXPECT_EQ(log_source_bytes(encoding, out), encoded.size());
        }
    }
}

TEST(LogText, SourceBytesOfAPrefixEndingInsideASequence) {
    std::string out;
    const std::string encoded = test::to_utf16(
        "a\xE2\x82\xAC"
        "b",
        false, false);
    decode_log_text(LogEncoding::utf16le, encoded, out);
    ASSERT_EQ(out,
              "a\xE2\x82\xAC"
              "b");
    EXPECT_EQ(log_source_bytes(LogEncoding::utf16le, out.substr(0, 1)), 2u);
    EXPECT_EQ(log_source_bytes(LogEncoding::utf16le, out.substr(0, 2)), 4u);  // lead counts all
    EXPECT_EQ(log_source_bytes(LogEncoding::utf16le, out.substr(0, 4)), 4u);
    EXPECT_EQ(log_source_bytes(LogEncoding::utf16le, out), 6u);
    EXPECT_EQ(log_source_bytes(LogEncoding::utf8, "a\xE2\x82"), 3u);
}

TEST(LogText, UnpairedSurrogatesBecomeReplacementCharacters) {
    std::string out;
    // A lone low surrogate, then a high surrogate followed by a letter instead of a low one.
    const std::string encoded(
        "\x00\xDC"
        "A\x00"
        "\x00\xD8"
        "B\x00",
        8);
    EXPECT_EQ(decode_log_text(LogEncoding::utf16le, encoded, out), 8u);
    EXPECT_EQ(out,
              "\xEF\xBF\xBD"
              "A"
              "\xEF\xBF\xBD"
              "B");
    EXPECT_EQ(log_source_bytes(LogEncoding::utf16le, out), 8u);
}

TEST(LogText, InputForRoomNeverOverflows) {
    EXPECT_EQ(log_input_for_room(LogEncoding::utf8, 100), 100u);
    for (std::size_t room : {0u, 1u, 2u, 3u, 4u, 5u, 6u, 1000u, 1001u}) {
        const std::size_t input = log_input_for_room(LogEncoding::utf16le, room);
        EXPECT_EQ(input % 2, 0u);
        EXPECT_LE(input / 2 * 3, room) << room;
    }
}

TEST(EventScanner, FindsCompleteEventsAndKeepsTheUnfinishedTail) {
    const std::string first = test::agent_event("A", "one");
    const std::string second = test::agent_event("B", "two");
    const std::string text = first + second + "<event date='x' > <![CDATA[half";
    const EventScan scan = scan_events(text);
    ASSERT_EQ(scan.events.size(), 2u);
    EXPECT_EQ(scan.events[0].begin, 0u);
    EXPECT_EQ(scan.events[0].end, first.size() - 1);  // before the newline
    EXPECT_EQ(scan.events[1].begin, first.size());
    EXPECT_EQ(scan.settled, first.size() + second.size());
    EXPECT_EQ(scan.truncated, 0u);
}

TEST(EventScanner, EveryPrefixSettlesOnlyWholeEvents) {
    const std::string text = test::agent_event("A", "one") + test::agent_event("B", "two");
    const std::size_t first_end = text.find('\n');
    for (std::size_t length = 0; length <= text.size(); ++length) {
        const EventScan scan = scan_events(std::string_view(text).substr(0, length));
        const std::size_t complete = length >= text.size() - 1 ? 2 : (length >= first_end ? 1 : 0);
        EXPECT_EQ(scan.events.size(), complete) << "prefix of " << length;
        // The settled part never cuts into "<event".
        EXPECT_TRUE(scan.settled == length || text.compare(scan.settled, 1, "<") == 0)
            << "prefix of " << length << " settled at " << scan.settled;
    }
}

TEST(EventScanner, QuotesCdataAndCommentsMayHoldAnything) {
    const std::string text =
        "<event source='a>b' note=\"/>\"><![CDATA[x </event> <event y]]>"
        "<!-- </event> --></event>"
        "<event source='self'/>"
        "<events>not an event</events>";
    const EventScan scan = scan_events(text);
    ASSERT_EQ(scan.events.size(), 2u);
    EXPECT_EQ(scan.events[0].begin, 0u);
    EXPECT_EQ(text.substr(scan.events[1].begin, scan.events[1].end - scan.events[1].begin),
              "<event source='self'/>");
    EXPECT_EQ(scan.settled, text.size());
}

TEST(EventScanner, AnEventCutShortByTheNextIsDropped) {
    // The agent died inside the CDATA; after its restart the next event starts on a new line.
    const std::string cdata =
        "<event a='1' > <![CDATA[agent died here\n" + test::agent_event("B", "after restart");
    const EventScan scan = scan_events(cdata);
    ASSERT_EQ(scan.events.size(), 1u);
    EXPECT_EQ(scan.truncated, 1u);
    EXPECT_EQ(scan.events[0].begin, cdata.find("<event", 1));
    EXPECT_EQ(scan.settled, cdata.size());

    const std::string plain = "<event a='1'>no cdata, cut\n" + test::agent_event("B", "next");
    const EventScan cut = scan_events(plain);
    ASSERT_EQ(cut.events.size(), 1u);
    EXPECT_EQ(cut.truncated, 1u);
    EXPECT_EQ(cut.events[0].begin, plain.find("<event", 1));

    const std::string in_tag = "<event a='1' b=\n" + test::agent_event("B", "next");
    EXPECT_EQ(scan_events(in_tag).events.size(), 1u);
}

TEST(EventScanner, NoiseIsSettledButAPossibleStartIsKept) {
    EXPECT_EQ(scan_events("garbage\r\n").settled, 9u);
    EXPECT_EQ(scan_events("garbage <eve").settled, 8u);
    EXPECT_EQ(scan_events("garbage <event").settled, 8u);
    EXPECT_EQ(scan_events("garbage <eventx").settled, 15u);
}

}  // namespace
}  // namespace psguard
