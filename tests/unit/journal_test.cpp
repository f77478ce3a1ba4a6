// The journal file itself: a torn last line is cut off (and kept) before the next append, ids
// stay unique when the journal is emptied, and opening it reads the live actions through the
// index, so that a year of heals costs a cycle what a day does.
#include "heal/journal.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "heal/healer.hpp"
#include "unit/temp_tree.hpp"

namespace psguard {
namespace {

namespace fs = std::filesystem;
using test::TempTree;

const TimePoint kJournalNow = *parse_utc("2026-11-26T12:00:00Z");
const std::string kJournalId = "{6c821f5e-1234-4abc-9def-0123456789ab}";

std::string read_journal_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void append_raw(const fs::path& file, const std::string& bytes) {
    std::ofstream(file, std::ios::binary | std::ios::app) << bytes;
}

// Every line of the file parses: nothing glued onto a fragment.
void expect_whole_lines(const fs::path& file) {
    const std::string text = read_journal_text(file);
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\n');
    std::istringstream lines(text);
    std::string line;
    int number = 0;
    while (std::getline(lines, line)) {
        ++number;
        EXPECT_FALSE(nlohmann::json::parse(line, nullptr, false).is_discarded())
            << "line " << number << ": " << line;
    }
}

std::vector<fs::path> torn_side_files(const fs::path& folder) {
    std::vector<fs::path> found;
    for (const auto& entry : fs::directory_iterator(folder)) {
        if (entry.path().filename().string().rfind("journal.torn-", 0) == 0) {
            found.push_back(entry.path());
        }
    }
    return found;
}

TEST(JournalTornTail, AnAppendAfterALineWithoutItsNewlineDoesNotGlueOntoIt) {
    TempTree tree;
    const auto file = tree / "journal.jsonl";
    {
        Journal journal(file);
        ASSERT_TRUE(journal.append("A", IntentEvent{}, kJournalNow));
        ASSERT_TRUE(journal.append("A", OutcomeEvent{Outcome::files_done}, kJournalNow));
    }
    const std::string fragment = R"({"action":"B","event":"intent","fi)";
    append_raw(file, fragment);  // a crash in the middle of an append

    Journal journal(file);
    ASSERT_TRUE(journal.load());
    EXPECT_EQ(journal.records().size(), 2u);
    ASSERT_TRUE(journal.append("C", IntentEvent{}, kJournalNow));
    expect_whole_lines(file);

    Journal reloaded(file);
    auto loaded = reloaded.load();
    ASSERT_TRUE(loaded) << loaded.error().message;
    ASSERT_EQ(reloaded.records().size(), 3u);
    EXPECT_EQ(reloaded.records().back().action, "C");
}

TEST(JournalTornTail, TheTornBytesAreKeptBesideTheJournalAndNoticed) {
    TempTree tree;
    const auto file = tree / "journal.jsonl";
    {
        Journal journal(file);
        ASSERT_TRUE(journal.append("A", IntentEvent{}, kJournalNow));
    }
    const std::string fragment = R"({"action":"B","event":"int)";
    append_raw(file, fragment);
    Journal journal(file);
    ASSERT_TRUE(journal.load());
    EXPECT_TRUE(journal.take_notices().empty()) << "reading repairs nothing";
    EXPECT_EQ(torn_side_files(tree.root()).size(), 0u);

    ASSERT_TRUE(journal.append("C", IntentEvent{}, kJournalNow));
    const auto side = torn_side_files(tree.root());
    ASSERT_EQ(side.size(), 1u);
    EXPECT_EQ(read_journal_text(side[0]), fragment);
    const auto notices = journal.take_notices();
    ASSERT_EQ(notices.size(), 1u);
    EXPECT_EQ(notices[0].kind, JournalNoticeKind::repaired);
    EXPECT_NE(notices[0].detail.find(side[0].filename().string()), std::string::npos)
        << notices[0].detail;
    EXPECT_TRUE(journal.take_notices().empty());
}

TEST(JournalTornTail, AJournalCutMidLineTakesAppendsAgain) {
    TempTree tree;
    const auto file = tree / "journal.jsonl";
    {
        Journal journal(file);
        for (const char* id : {"A", "B", "C"}) {
            ASSERT_TRUE(journal.append(id, IntentEvent{}, kJournalNow));
        }
    }
    // Cut in the middle of the second line.
    const std::string text = read_journal_text(file);
    const auto second_line = text.find('\n') + 1;
    fs::resize_file(file, second_line + 10);

    Journal journal(file);
    ASSERT_TRUE(journal.load());
    ASSERT_EQ(journal.records().size(), 1u);
    ASSERT_TRUE(journal.append("D", IntentEvent{}, kJournalNow));
    expect_whole_lines(file);
    Journal reloaded(file);
    auto loaded = reloaded.load();
    ASSERT_TRUE(loaded) << loaded.error().message;
    ASSERT_EQ(reloaded.records().size(), 2u);
    EXPECT_EQ(reloaded.records()[1].action, "D");
}

TEST(JournalTornTail, ADamagedCompleteLineIsStillAnError) {
    TempTree tree;
    const auto file = tree / "journal.jsonl";
    {
        Journal journal(file);
        ASSERT_TRUE(journal.append("A", IntentEvent{}, kJournalNow));
    }
    append_raw(file, "{\"action\": \"B\", \"ev\n");
    Journal damaged(file);
    auto loaded = damaged.load();
    ASSERT_FALSE(loaded);
    EXPECT_NE(loaded.error().message.find("line 2"), std::string::npos) << loaded.error().message;
}

TEST(JournalIds, StayUniqueAfterTheJournalIsEmptied) {
    TempTree tree;
    const auto file = tree / "journal.jsonl";
    std::set<std::string> given;
    {
        Journal journal(file);
        ASSERT_TRUE(journal.load());
        for (int i = 0; i < 3; ++i) {
            const auto id = journal.next_action_id(kJournalId, kJournalNow);
            ASSERT_TRUE(given.insert(id).second) << id;
            ASSERT_TRUE(journal.append(id, IntentEvent{}, kJournalNow));
        }
        ASSERT_TRUE(journal.save_index());
    }
    // An operator empties the journal (or deletes it); the same second, the same package.
    std::ofstream(file, std::ios::trunc).close();
    {
        Journal journal(file);
        ASSERT_TRUE(journal.load());
        EXPECT_TRUE(journal.actions().empty());
        const auto id = journal.next_action_id(kJournalId, kJournalNow);
        EXPECT_FALSE(given.contains(id)) << id << " was given before the journal was emptied";
        given.insert(id);
        ASSERT_TRUE(journal.append(id, IntentEvent{}, kJournalNow));
        ASSERT_TRUE(journal.save_index());
    }
    fs::remove(file);
    Journal journal(file);
    ASSERT_TRUE(journal.load());
    const auto id = journal.next_action_id(kJournalId, kJournalNow);
    EXPECT_FALSE(given.contains(id)) << id << " was given before the journal was deleted";
}

TEST(JournalIds, AnIdTheCallerRefusesIsSkipped) {
    TempTree tree;
    Journal journal(tree / "journal.jsonl");
    const auto first = journal.next_action_id(kJournalId, kJournalNow);
    const auto next = journal.next_action_id(kJournalId, kJournalNow, [&](const std::string& id) {
        return id == first;  // say, its quarantine folder exists
    });
    EXPECT_NE(next, first);
    EXPECT_EQ(next.rfind("20261126T120000Z-6c821f5e-", 0), 0u) << next;
}

// The journal of a Package Server that healed a package a day for `days` days, written as
// psguard appends it (the same records, without a flush per line to keep the test fast). Every
// action is finished (verified), its quarantine folder created.
void write_history(const fs::path& file, const fs::path& quarantine, int days, TimePoint end) {
    std::ofstream out(file, std::ios::binary | std::ios::app);
    std::uint64_t seq = 0;
    for (int day = days - 1; day >= 0; --day) {
        const TimePoint time = end - std::chrono::hours(24 * day) - std::chrono::hours(1);
        {
            std::string stamp = format_utc(time);
            std::erase(stamp, '-');
            std::erase(stamp, ':');
            const std::string id = stamp + "-6c821f5e-" + std::to_string(seq + 1);
            const nlohmann::json files = {
                {{"role", "snapshot"},
                 {"original", "/srv/Package Delivery/" + kJournalId + "/snapshot.xml"},
                 {"quarantined",
                  (quarantine / id / "delivery" / kJournalId / "snapshot.xml").string()},
                 {"sha256", std::string(64, 'a')},
                 {"size", 120}}};
            for (nlohmann::json record :
                 {nlohmann::json{{"action", id},
                                 {"event", "intent"},
                                 {"package", kJournalId},
                                 {"mode", "quarantine"},
                                 {"reason", "stale on the NS for 2 cycles"},
                                 {"files", files}},
                  nlohmann::json{{"action", id}, {"event", "file_moved"}, {"role", "snapshot"}},
                  nlohmann::json{{"action", id}, {"event", "files_done"}},
                  nlohmann::json{{"action", id}, {"event", "verified"}}}) {
                record["seq"] = ++seq;
                record["time"] = format_utc(time);
                out << record.dump() << '\n';
            }
            fs::create_directories(quarantine / id);
        }
    }
}

struct CycleCost {
    JournalReadStats read;
    std::size_t live_actions = 0;
    std::size_t live_records = 0;
    std::uintmax_t journal_size = 0;
};

// What a cycle pays for the journal after `days` days of heals: the cycle that first met the
// journal pruned it and saved the index, today's heals were appended, and then the next cycle
// (a restarted agent, or the next `check --heal`) opens it.
CycleCost cost_after(int days) {
    TempTree tree;
    PathsConfig paths;
    paths.state_dir = tree / "state";
    HealConfig config;
    config.quarantine_retention = std::chrono::hours(24);
    const auto file = paths.state_dir / "journal.jsonl";
    fs::create_directories(paths.state_dir);
    write_history(file, paths.state_dir / "quarantine", days, kJournalNow);
    {
        Journal journal(file);
        EXPECT_TRUE(journal.load());
        Healer(paths, config, journal).prune_quarantine(kJournalNow);
        EXPECT_TRUE(journal.save_index());
    }
    {
        Journal journal(file);
        EXPECT_TRUE(journal.load());
        for (int k = 0; k < 3; ++k) {
            const auto id = journal.next_action_id(kJournalId, kJournalNow);
            EXPECT_TRUE(journal.append(id, IntentEvent{}, kJournalNow));
            EXPECT_TRUE(journal.append(id, OutcomeEvent{Outcome::files_done}, kJournalNow));
        }
        Healer(paths, config, journal).prune_quarantine(kJournalNow);
        EXPECT_TRUE(journal.save_index());
    }
    Journal journal(file);
    EXPECT_TRUE(journal.load());
    return {journal.read_stats(), journal.actions().size(), journal.records().size(),
            fs::file_size(file)};
}

TEST(JournalIndex, AYearOfHealsCostsACycleWhatADayDoes) {
    const CycleCost day = cost_after(1);
    const CycleCost year = cost_after(365);
    ASSERT_GT(year.journal_size, 100 * day.journal_size) << "the year's journal is big";

    // The live actions: the last day's one (within the retention) and today's three.
    EXPECT_EQ(day.live_actions, 4u);
    EXPECT_EQ(year.live_actions, day.live_actions);
    EXPECT_EQ(year.live_records, day.live_records);
    EXPECT_TRUE(year.read.used_index);
    EXPECT_EQ(year.read.records, day.read.records) << "records folded when opening";
    // Bytes read: the index and the one line that proves it matches the journal. The year's
    // sequence numbers have more digits, nothing else differs.
    const auto day_bytes = day.read.journal_bytes + day.read.index_bytes;
    const auto year_bytes = year.read.journal_bytes + year.read.index_bytes;
    EXPECT_LE(year_bytes, day_bytes + day_bytes / 20) << day_bytes;
    EXPECT_LT(year_bytes * 50, year.journal_size) << "not the whole journal";
}

TEST(JournalIndex, LinesAppendedAfterTheIndexAreRead) {
    TempTree tree;
    const auto file = tree / "journal.jsonl";
    {
        Journal journal(file);
        ASSERT_TRUE(journal.append("A", IntentEvent{}, kJournalNow));
        ASSERT_TRUE(journal.save_index());
        // A crash before the next index: these are only in the journal.
        ASSERT_TRUE(journal.append("A", OutcomeEvent{Outcome::files_done}, kJournalNow));
        ASSERT_TRUE(journal.append("B", IntentEvent{}, kJournalNow));
    }
    Journal journal(file);
    ASSERT_TRUE(journal.load());
    EXPECT_TRUE(journal.read_stats().used_index);
    ASSERT_EQ(journal.actions().size(), 2u);
    EXPECT_EQ(journal.action("A")->result, ActionResult::awaiting_verification);
    EXPECT_EQ(journal.action("B")->result, ActionResult::in_progress);
}

TEST(JournalIndex, AnIndexThatDoesNotMatchTheJournalIsIgnored) {
    TempTree tree;
    const auto file = tree / "journal.jsonl";
    {
        Journal journal(file);
        ASSERT_TRUE(journal.append("A", IntentEvent{}, kJournalNow));
        ASSERT_TRUE(journal.append("B", IntentEvent{}, kJournalNow));
        ASSERT_TRUE(journal.save_index());
    }
    // The journal is replaced by another one of the same length or longer.
    const std::string text = read_journal_text(file);
    std::string other = text;
    other.replace(other.find("\"B\""), 3, "\"X\"");
    std::ofstream(file, std::ios::binary | std::ios::trunc) << other;
    Journal journal(file);
    ASSERT_TRUE(journal.load());
    EXPECT_FALSE(journal.read_stats().used_index);
    EXPECT_TRUE(journal.action("X"));
    EXPECT_FALSE(journal.action("B"));
}

TEST(JournalIndex, RetiredActionsAreStillFoundInTheWholeFile) {
    TempTree tree;
    const auto file = tree / "journal.jsonl";
    Journal journal(file);
    ASSERT_TRUE(journal.append("A", IntentEvent{}, kJournalNow));
    ASSERT_TRUE(journal.append("A", OutcomeEvent{Outcome::verified}, kJournalNow));
    ASSERT_TRUE(journal.append("B", IntentEvent{}, kJournalNow));
    journal.retire({"A"});
    EXPECT_FALSE(journal.action("A"));
    auto all = journal.all_actions();
    ASSERT_TRUE(all);
    EXPECT_EQ(all->size(), 2u);
    auto found = journal.find_action("A");
    ASSERT_TRUE(found);
    ASSERT_TRUE(found.value());
    EXPECT_EQ(found.value()->result, ActionResult::verified);
    // Live again: a restore appends to it, and the index written then explains that record.
    ASSERT_TRUE(journal.append("A", OutcomeEvent{Outcome::restored}, kJournalNow));
    EXPECT_EQ(journal.action("A")->result, ActionResult::restored);
}

TEST(JournalIndex, ARecordOfARetiredActionAfterTheIndexMakesTheWholeFileRead) {
    TempTree tree;
    const auto file = tree / "journal.jsonl";
    {
        Journal journal(file);
        ASSERT_TRUE(journal.append("A", IntentEvent{}, kJournalNow));
        ASSERT_TRUE(journal.append("A", OutcomeEvent{Outcome::verified}, kJournalNow));
        journal.retire({"A"});
        ASSERT_TRUE(journal.save_index());
        // `psguard restore A` appended, and could not save the index.
        ASSERT_TRUE(journal.append("A", OutcomeEvent{Outcome::restored}, kJournalNow));
    }
    Journal journal(file);
    ASSERT_TRUE(journal.load());
    EXPECT_FALSE(journal.read_stats().used_index);
    ASSERT_TRUE(journal.action("A"));
    EXPECT_EQ(journal.action("A")->result, ActionResult::restored);
    EXPECT_EQ(journal.action("A")->time, kJournalNow) << "folded from its intent, not a stub";
}

}  // namespace
}  // namespace psguard
