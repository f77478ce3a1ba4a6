#include "evidence/agent_log_reader.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "evidence_test_support.hpp"
#include "temp_tree.hpp"

namespace psguard {
namespace {

namespace fs = std::filesystem;
using test::TempTree;

const char* const kDenied = "Cannot create directory: 0x80070005 [Access is denied] d:";
const char* const kCapture =
    "Error while copying event to capture directory: Access is denied (-2147024891)";

std::vector<std::string> messages(const std::vector<LogEvent>& events) {
    std::vector<std::string> out;
    for (const LogEvent& event : events) {
        out.push_back(event.message);
    }
    return out;
}

TEST(AgentLogReader, ReadsTheKbLinesWithEveryAttribute) {
    TempTree tree;
    const std::string kb = test::kb_log();
    const auto file = tree.write("logs/agent.log", kb);
    AgentLogReader reader;
    LogReadStats stats;
    const auto events = test::read_events(reader, tree / "logs", &stats);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].date, "May 16 11:51:05");
    EXPECT_EQ(events[0].severity, "2");
    EXPECT_EQ(events[0].host_name, "xx100");
    EXPECT_EQ(events[0].source, "CreateDirectoryPath");
    EXPECT_EQ(events[0].module, "AeXNSAgent.exe");
    EXPECT_EQ(events[0].process, "AeXNSAgent.exe");
    EXPECT_EQ(events[0].pid, "724");
    EXPECT_EQ(events[0].thread, "1740");
    EXPECT_EQ(events[0].tick_count, "495844828");
    EXPECT_EQ(events[0].message, kDenied);
    EXPECT_EQ(events[0].offset, 0u);
    EXPECT_EQ(events[0].file, file);
    EXPECT_EQ(events[1].source, "EventTransport");
    EXPECT_EQ(events[1].message, kCapture);
    EXPECT_EQ(events[1].offset, kb.find('\n') + 1);
    EXPECT_EQ(stats.events, 2u);
    EXPECT_EQ(stats.bytes_read, kb.size());
    EXPECT_EQ(stats.malformed, 0u);

    // Nothing new: nothing read, nothing reported twice.
    LogReadStats again;
    EXPECT_TRUE(test::read_events(reader, tree / "logs", &again).empty());
    EXPECT_EQ(again.bytes_read, 0u);
    ASSERT_EQ(reader.cursors().size(), 1u);
    EXPECT_EQ(reader.cursors()[0].offset, kb.size());
    EXPECT_EQ(reader.cursors()[0].encoding, LogEncoding::utf8);
}

TEST(AgentLogReader, CrlfAndAUtf8BomAreTolerated) {
    TempTree tree;
    const std::string crlf = "\xEF\xBB\xBF" + test::with_crlf(test::kb_log());
    tree.write("logs/agent.log", crlf);
    AgentLogReader reader;
    const auto events = test::read_events(reader, tree / "logs");
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(messages(events), (std::vector<std::string>{kDenied, kCapture}));
    EXPECT_EQ(events[0].offset, 3u);  // after the BOM
    EXPECT_EQ(events[1].offset, crlf.find("\r\n") + 2);
}

TEST(AgentLogReader, MultiLineMessagesKeepTheirLinesWithCrlfNormalised) {
    TempTree tree;
    tree.write("logs/agent.log", test::with_crlf(test::agent_event("S", "line one\nline two")));
    AgentLogReader reader;
    const auto events = test::read_events(reader, tree / "logs");
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].message, "line one\nline two");
}

// Events as the KB's articles show them (158750): the start tag, the CDATA and </event> each on
// a line of their own; one single-line event among them. Every encoding the agent writes.
TEST(AgentLogReader, EventsSpreadOverSeveralLinesAreOneEvent) {
    const std::string fixture = test::evidence_fixture("agent-kb-signatures.log");
    const std::vector<std::pair<std::string, std::string>> encodings = {
        {"utf-8", fixture},
        {"crlf", test::with_crlf(fixture)},
        {"utf-16le", test::to_utf16(test::with_crlf(fixture), false)},
        {"utf-16be", test::to_utf16(fixture, true)}};
    for (const auto& [name, bytes] : encodings) {
        TempTree tree;
        tree.write("logs/agent.log", bytes);
        AgentLogReader reader;
        LogReadStats stats;
        const auto events = test::read_events(reader, tree / "logs", &stats);
        ASSERT_EQ(events.size(), 7u) << name;
        EXPECT_EQ(stats.malformed + stats.truncated, 0u) << name;
        EXPECT_EQ(events[0].message, "Starting client object: Altiris.AeXNSCPkgSvr") << name;
        EXPECT_EQ(events[1].source, "Package Server Agent") << name;
        EXPECT_EQ(events[1].module, "AeXNSCPackageServer.dll") << name;
        EXPECT_TRUE(events[1].message.starts_with("CAeXNSCPkgSvr::Start failed.")) << name;
        EXPECT_TRUE(events[1].message.ends_with("path specified..")) << name;
        EXPECT_EQ(events[5].tick_count, "499372260") << name;
        // A message of two lines keeps both, with LF.
        EXPECT_EQ(events[6].message,
                  "Error code: {Partial Data Received}\nThe network transport returned partial "
                  "data to its client. The remaining data will be sent later (0x000002C3)")
            << name;
        EXPECT_EQ(reader.cursors()[0].offset, bytes.size()) << name;
    }
}

TEST(AgentLogReader, Utf16WithBomEitherByteOrder) {
    for (const bool big_endian : {false, true}) {
        TempTree tree;
        // A non-ASCII host name and a character outside the BMP, to prove real decoding.
        const std::string text =
            test::kb_log() + test::agent_event("S\xC3\xBC", "emoji \xF0\x9F\x98\x80 end");
        const std::string encoded = test::to_utf16(text, big_endian);
        tree.write("logs/agent.log", encoded);
        AgentLogReader reader;
        const auto events = test::read_events(reader, tree / "logs");
        ASSERT_EQ(events.size(), 3u) << (big_endian ? "BE" : "LE");
        EXPECT_EQ(messages(events),
                  (std::vector<std::string>{kDenied, kCapture, "emoji \xF0\x9F\x98\x80 end"}));
        EXPECT_EQ(events[2].source, "S\xC3\xBC");
        // Offsets are in file bytes: 2 for the BOM, 2 per UTF-16 unit.
        EXPECT_EQ(events[0].offset, 2u);
        EXPECT_EQ(events[1].offset, 2 + 2 * (text.find('\n') + 1));
        ASSERT_EQ(reader.cursors().size(), 1u);
        EXPECT_EQ(reader.cursors()[0].offset, encoded.size());
        EXPECT_EQ(reader.cursors()[0].encoding,
                  big_endian ? LogEncoding::utf16be : LogEncoding::utf16le);
    }
}

// A small buffer forces many chunk boundaries inside UTF-16 characters and events.
TEST(AgentLogReader, Utf16AcrossSmallChunks) {
    TempTree tree;
    std::string text;
    for (int i = 0; i < 200; ++i) {
        text += test::agent_event("S", "n\xC3\xBCmber " + std::to_string(i) + " \xF0\x9F\x98\x80",
                                  "May 16 11:51:05", static_cast<std::uint64_t>(i));
    }
    const std::string encoded = test::to_utf16(text, false);
    tree.write("logs/agent.log", encoded);
    LogReadOptions options;
    options.buffer_bytes = 4096;
    AgentLogReader reader(options);
    const auto events = test::read_events(reader, tree / "logs");
    ASSERT_EQ(events.size(), 200u);
    for (int i = 0; i < 200; ++i) {
        EXPECT_EQ(events[static_cast<std::size_t>(i)].message,
                  "n\xC3\xBCmber " + std::to_string(i) + " \xF0\x9F\x98\x80");
    }
    EXPECT_LE(reader.peak_buffer_bytes(), 4096u);
    EXPECT_EQ(reader.cursors()[0].offset, encoded.size());
}

TEST(AgentLogReader, AHalfWrittenLastEventWaitsForTheNextRead) {
    TempTree tree;
    const std::string first = test::agent_event("A", "complete");
    const std::string second = test::agent_event("B", "written in two parts");
    const std::size_t cut = second.find("in two");
    const auto file = tree.write("logs/agent.log", first + second.substr(0, cut));
    AgentLogReader reader;
    auto events = test::read_events(reader, tree / "logs");
    ASSERT_EQ(messages(events), std::vector<std::string>{"complete"});
    EXPECT_EQ(reader.cursors()[0].offset, first.size()) << "not advanced past the half event";

    test::append_file(file, second.substr(cut));
    events = test::read_events(reader, tree / "logs");
    ASSERT_EQ(messages(events), std::vector<std::string>{"written in two parts"});
    EXPECT_EQ(events[0].offset, first.size());
    EXPECT_EQ(reader.cursors()[0].offset, first.size() + second.size());
}

TEST(AgentLogReader, AHalfWrittenUtf16UnitWaits) {
    TempTree tree;
    const std::string encoded = test::to_utf16(test::agent_event("A", "x\xF0\x9F\x98\x80"), false);
    // Cut inside the surrogate pair and then inside a unit.
    const std::size_t pair = encoded.find(std::string("\x3D\xD8", 2));
    ASSERT_NE(pair, std::string::npos);
    const auto file = tree.write("logs/agent.log", encoded.substr(0, pair + 3));
    AgentLogReader reader;
    EXPECT_TRUE(test::read_events(reader, tree / "logs").empty());
    test::append_file(file, encoded.substr(pair + 3, 2));
    EXPECT_TRUE(test::read_events(reader, tree / "logs").empty());
    test::append_file(file, encoded.substr(pair + 5));
    const auto events = test::read_events(reader, tree / "logs");
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].message, "x\xF0\x9F\x98\x80");
}

TEST(AgentLogReader, MalformedAndCutEventsAreCountedAndSkipped) {
    TempTree tree;
    tree.write("logs/agent.log",
               "noise before\n<event source='a' & bad>x</event>\n"
               "<event source='cut' > <![CDATA[died\n" +
                   test::agent_event("B", "fine"));
    AgentLogReader reader;
    LogReadStats stats;
    const auto events = test::read_events(reader, tree / "logs", &stats);
    EXPECT_EQ(messages(events), std::vector<std::string>{"fine"});
    EXPECT_EQ(stats.malformed, 1u);
    EXPECT_EQ(stats.truncated, 1u);
}

// The agent's bytes enter psguard as valid UTF-8, attributes and message alike.
TEST(AgentLogReader, EventsAreValidUtf8WhateverTheLogHolds) {
    TempTree tree;
    tree.write("logs/agent.log", test::agent_event("Bad\xFFSource", "Access is\xC3 denied"));
    AgentLogReader reader;
    const auto events = test::read_events(reader, tree / "logs");
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].source, "Bad\xEF\xBF\xBDSource");
    EXPECT_EQ(events[0].message, "Access is\xEF\xBF\xBD denied");
}

TEST(AgentLogReader, AnOversizedEventIsSkippedWithinTheBuffer) {
    TempTree tree;
    const std::string huge = test::agent_event("Big", std::string(20000, 'x'));
    tree.write("logs/agent.log",
               test::agent_event("A", "before") + huge + test::agent_event("B", "after"));
    LogReadOptions options;
    options.buffer_bytes = 8192;
    AgentLogReader reader(options);
    LogReadStats stats;
    const auto events = test::read_events(reader, tree / "logs", &stats);
    EXPECT_EQ(messages(events), (std::vector<std::string>{"before", "after"}));
    EXPECT_EQ(stats.oversized, 1u);
    EXPECT_LE(reader.peak_buffer_bytes(), 8192u);
}

// The agent renames agent.log to agent.log.1 (or agent1.log) and starts a new agent.log between
// two reads: the old file's tail is read from the old cursor, the new file from its start.
TEST(AgentLogReader, RotationByRenameBetweenTwoReads) {
    for (const char* rotated_name : {"agent.log.1", "agent1.log", "agent_1.log"}) {
        TempTree tree;
        const auto logs = tree.mkdir("logs");
        const std::string old_head =
            test::agent_event("A", "old 1") + test::agent_event("A", "old 2");
        const std::string old_tail = test::agent_event("A", "old 3 (half then whole)");
        const std::size_t cut = old_tail.size() / 2;
        tree.write("logs/agent.log", old_head + old_tail.substr(0, cut));
        AgentLogReader reader;
        ASSERT_EQ(test::read_events(reader, logs).size(), 2u);

        test::append_file(logs / "agent.log",
                          old_tail.substr(cut) + test::agent_event("A", "old 4"));
        fs::rename(logs / "agent.log", logs / rotated_name);
        tree.write("logs/agent.log",
                   test::agent_event("B", "new 1") + test::agent_event("B", "new 2"));
        // The renamed file must sort first even when the clock did not move.
        fs::last_write_time(logs / rotated_name, fs::last_write_time(logs / "agent.log"));

        LogReadStats stats;
        const auto events = test::read_events(reader, logs, &stats);
        EXPECT_EQ(messages(events),
                  (std::vector<std::string>{"old 3 (half then whole)", "old 4", "new 1", "new 2"}))
            << rotated_name;
        EXPECT_EQ(stats.restarted, 0u);
        EXPECT_EQ(reader.cursors().size(), 2u);
        EXPECT_TRUE(test::read_events(reader, logs).empty()) << "nothing twice";
    }
}

// Copy-and-truncate rotation: the copy continues from the old cursor, the truncated original
// starts over.
TEST(AgentLogReader, RotationByCopyAndTruncate) {
    TempTree tree;
    const auto logs = tree.mkdir("logs");
    tree.write("logs/agent.log", test::agent_event("A", "old 1"));
    AgentLogReader reader;
    ASSERT_EQ(test::read_events(reader, logs).size(), 1u);

    test::append_file(logs / "agent.log", test::agent_event("A", "old 2"));
    fs::copy_file(logs / "agent.log", logs / "agent.log.1");
    fs::resize_file(logs / "agent.log", 0);
    test::append_file(logs / "agent.log", test::agent_event("B", "new 1"));
    fs::last_write_time(logs / "agent.log.1", fs::last_write_time(logs / "agent.log"));

    LogReadStats stats;
    const auto events = test::read_events(reader, logs, &stats);
    EXPECT_EQ(messages(events), (std::vector<std::string>{"old 2", "new 1"}));
    EXPECT_EQ(stats.followed, 1u);
}

TEST(AgentLogReader, AShrunkOrReplacedFileIsReadFromTheStart) {
    TempTree tree;
    const auto logs = tree.mkdir("logs");
    tree.write("logs/agent.log", test::agent_event("A", "first life, long message here"));
    AgentLogReader reader;
    ASSERT_EQ(test::read_events(reader, logs).size(), 1u);

    // Same name, shorter content.
    tree.write("logs/agent.log", test::agent_event("A", "second"));
    auto events = test::read_events(reader, logs);
    EXPECT_EQ(messages(events), std::vector<std::string>{"second"});

    // Same name, longer content, different start: the fingerprint tells.
    tree.write("logs/agent.log", test::agent_event("Z", "third life") +
                                     test::agent_event("Z", "with more text than before"));
    events = test::read_events(reader, logs);
    EXPECT_EQ(messages(events),
              (std::vector<std::string>{"third life", "with more text than before"}));
}

TEST(AgentLogReader, CursorsSurviveARestartThroughJson) {
    TempTree tree;
    const auto logs = tree.mkdir("logs");
    tree.write("logs/agent.log", test::agent_event("A", "before restart"));
    tree.write("logs/other.LOG", test::to_utf16(test::agent_event("U", "utf16 before"), true));
    AgentLogReader first;
    ASSERT_EQ(test::read_events(first, logs).size(), 2u);
    const nlohmann::json saved = log_cursors_to_json(first.cursors());
    const std::string text = saved.dump();

    test::append_file(logs / "agent.log", test::agent_event("A", "after restart"));
    test::append_file(logs / "other.LOG",
                      test::to_utf16(test::agent_event("U", "utf16 after"), true, false));
    auto restored = log_cursors_from_json(nlohmann::json::parse(text));
    ASSERT_TRUE(restored.ok()) << restored.error().message;
    EXPECT_EQ(restored.value(), first.cursors());
    AgentLogReader second({}, std::move(restored).value());
    auto events = messages(test::read_events(second, logs));
    std::sort(events.begin(), events.end());
    EXPECT_EQ(events, (std::vector<std::string>{"after restart", "utf16 after"}));
}

TEST(AgentLogReader, BadCursorJsonIsAnError) {
    EXPECT_FALSE(log_cursors_from_json(nlohmann::json::array()).ok());
    EXPECT_FALSE(log_cursors_from_json({{"version", 2}, {"files", nlohmann::json::array()}}).ok());
    nlohmann::json good =
        log_cursors_to_json({LogCursor{"a.log", {1, 2}, 3, 4, 5, 6, LogEncoding::utf8}});
    ASSERT_TRUE(log_cursors_from_json(good).ok());
    for (const char* key : {"offset", "fingerprint", "encoding", "file"}) {
        nlohmann::json broken = good;
        broken["files"][0][key] = -1;
        auto parsed = log_cursors_from_json(broken);
        ASSERT_FALSE(parsed.ok()) << key;
        EXPECT_NE(parsed.error().message.find(key), std::string::npos) << parsed.error().message;
    }
}

TEST(AgentLogReader, OnlyLogFilesAndNeverLinks) {
    TempTree tree;
    const auto logs = tree.mkdir("logs");
    tree.write("logs/agent.log", test::agent_event("A", "real"));
    tree.write("logs/notes.txt", test::agent_event("A", "not a log name"));
    tree.write("logs/agent.log.bak", test::agent_event("A", "not a log name either"));
    tree.write("elsewhere/secret.log", test::agent_event("A", "behind a link"));
    tree.mkdir("logs/folder.log");
    AgentLogReader reader;
    EXPECT_EQ(messages(test::read_events(reader, logs)), std::vector<std::string>{"real"});

    PSGUARD_LINK_OR_SKIP(
        test::make_file_symlink(tree / "elsewhere" / "secret.log", logs / "linked.log"));
    AgentLogReader fresh;
    EXPECT_EQ(messages(test::read_events(fresh, logs)), std::vector<std::string>{"real"});
}

TEST(AgentLogReader, AMissingFolderIsAnError) {
    TempTree tree;
    AgentLogReader reader;
    auto stats = reader.read_new(tree / "missing", [](const LogEvent&) {});
    ASSERT_FALSE(stats.ok());
    EXPECT_NE(stats.error().message.find("missing"), std::string::npos);
}

TEST(AgentLogReader, TheCycleBudgetSpreadsABacklogOverCycles) {
    TempTree tree;
    std::string text;
    for (int i = 0; i < 1000; ++i) {
        text += test::agent_event("A", "event " + std::to_string(i));
    }
    tree.write("logs/agent.log", text);
    LogReadOptions options;
    options.buffer_bytes = 16 * 1024;
    options.max_read_per_cycle_bytes = 64 * 1024;
    AgentLogReader reader(options);
    std::size_t total = 0;
    int cycles = 0;
    for (; cycles < 100; ++cycles) {
        LogReadStats stats;
        const auto events = test::read_events(reader, tree / "logs", &stats);
        EXPECT_LE(stats.bytes_read, 64u * 1024);
        if (cycles == 0) {
            EXPECT_TRUE(stats.budget_exhausted);
            EXPECT_EQ(events.front().message, "event 0");
        }
        total += events.size();
        if (!stats.budget_exhausted) {
            break;
        }
    }
    EXPECT_EQ(total, 1000u);
    EXPECT_GE(cycles, 3);
}

// Garbage, fragments and half events in any mix, appended in pieces, in both encodings: the
// reader always terminates, never passes the end, and keeps its memory bound.
TEST(AgentLogReader, SurvivesArbitraryBytes) {
    const std::string pieces[] = {test::agent_event("A", "ok"),
                                  "<event",
                                  "<event a='",
                                  "<![CDATA[",
                                  "]]>",
                                  "</event>",
                                  "</even",
                                  "<event/>",
                                  "<!--",
                                  "-->",
                                  "\n",
                                  "\r\n",
                                  "'",
                                  "\"",
                                  ">",
                                  "<",
                                  "&",
                                  std::string("\0", 1),
                                  "\xFF\xFE",
                                  "\xD8\x3D",
                                  "x"};
    std::uint32_t seed = 12345;
    const auto next = [&seed] {
        seed = seed * 1103515245u + 12345u;
        return (seed >> 16) & 0x7FFF;
    };
    for (int round = 0; round < 40; ++round) {
        TempTree tree;
        const auto logs = tree.mkdir("logs");
        const bool utf16 = round % 2 == 1;
        tree.write("logs/agent.log", utf16 ? std::string("\xFF\xFE", 2) : std::string());
        LogReadOptions options;
        options.buffer_bytes = 4096;
        AgentLogReader reader(options);
        std::uint64_t written = utf16 ? 2 : 0;
        for (int append = 0; append < 8; ++append) {
            std::string bytes;
            for (int i = 0; i < 200; ++i) {
                bytes += pieces[next() % std::size(pieces)];
            }
            if (utf16 && bytes.size() % 2 == 1 && next() % 2 == 0) {
                bytes.pop_back();  // sometimes a half unit at the end
            }
            test::append_file(logs / "agent.log", bytes);
            written += bytes.size();
            LogReadStats stats;
            test::read_events(reader, logs, &stats);
            ASSERT_EQ(reader.cursors().size(), 1u);
            EXPECT_LE(reader.cursors()[0].offset, written);
            EXPECT_LE(reader.peak_buffer_bytes(), 4096u);
        }
    }
}

// The size of the big-log test: 200 MB (about 3 s natively, 7 s under Wine in a Debug build);
// PSGUARD_BIG_LOG_MB overrides it, e.g. for a quick run on a slow machine.
std::uint64_t big_log_bytes() {
    if (const char* value = std::getenv("PSGUARD_BIG_LOG_MB"); value != nullptr && *value != 0) {
        return std::strtoull(value, nullptr, 10) * 1024 * 1024;
    }
    return 200ull * 1024 * 1024;
}

// A 200 MB log read incrementally: every event found in order, memory bounded by the buffer.
TEST(AgentLogReader, ABigLogIsReadIncrementallyInBoundedMemory) {
    const std::uint64_t target = big_log_bytes();
    TempTree tree;
    const auto logs = tree.mkdir("logs");
    const auto file = logs / "agent.log";
    std::uint64_t written = 0;
    std::uint64_t expected_events = 0;
    std::uint64_t expected_denied = 0;
    {
        std::ofstream out(file, std::ios::binary);
        std::string chunk;
        const std::string filler =
            test::agent_event("PackageDownload",
                              "Checked package {6c821f5e-1d2a-4c3b-9e8f-0a1b2c3d4e5f}: up to date");
        const std::string denied = test::agent_event("EventTransport", kCapture);
        while (written < target) {
            chunk.clear();
            while (chunk.size() < 4 * 1024 * 1024) {
                const bool is_denied = expected_events % 1000 == 999;
                chunk += is_denied ? denied : filler;
                expected_denied += is_denied ? 1 : 0;
                ++expected_events;
            }
            out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
            written += chunk.size();
        }
        ASSERT_TRUE(out.good());
    }
    // The agent is mid-write: a half event at the end.
    test::append_file(file, "<event date='May 16 11:51:06' severity='2' source='Eve");
    LogReadOptions options;
    options.buffer_bytes = 1024 * 1024;
    options.max_read_per_cycle_bytes = 64ull * 1024 * 1024;
    AgentLogReader reader(options);
    std::uint64_t events = 0;
    std::uint64_t denied = 0;
    std::uint64_t last_offset = 0;
    bool ordered = true;
    int cycles = 0;
    for (; cycles < 100; ++cycles) {
        auto stats = reader.read_new(logs, [&](const LogEvent& event) {
            ordered = ordered && (events == 0 || event.offset > last_offset);
            last_offset = event.offset;
            ++events;
            denied += event.message == kCapture ? 1 : 0;
        });
        ASSERT_TRUE(stats.ok()) << stats.error().message;
        if (!stats->budget_exhausted) {
            break;
        }
    }
    EXPECT_EQ(events, expected_events);
    EXPECT_EQ(denied, expected_denied);
    EXPECT_TRUE(ordered);
    EXPECT_GE(cycles, static_cast<int>(written / options.max_read_per_cycle_bytes));
    EXPECT_LE(reader.peak_buffer_bytes(), options.buffer_bytes);
    EXPECT_GT(reader.peak_buffer_bytes(), 0u);
    ASSERT_EQ(reader.cursors().size(), 1u);
    EXPECT_EQ(reader.cursors()[0].offset, written) << "stops before the half-written event";
}

}  // namespace
}  // namespace psguard
