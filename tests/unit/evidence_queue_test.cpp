#include "evidence/event_queue_reader.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include "temp_tree.hpp"

namespace psguard {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;
using std::chrono::minutes;
using test::TempTree;

// Sets a file's modification time to `age` before `now` (system clock).
void age_file(const fs::path& path, std::chrono::system_clock::time_point now,
              std::chrono::seconds age) {
    const auto file_time = std::chrono::file_clock::from_sys(now - age);
    fs::last_write_time(path,
                        std::chrono::time_point_cast<fs::file_time_type::duration>(file_time));
}

TEST(QueueFileNames, AreClassifiedByPrefixAndSuffix) {
    const auto check = [](std::string_view name, QueuePrefix prefix, QueueState state) {
        const auto parsed = classify_queue_file(name);
        ASSERT_TRUE(parsed) << name;
        EXPECT_EQ(parsed->prefix, prefix) << name;
        EXPECT_EQ(parsed->state, state) << name;
    };
    check("NSE-FFF-0000006A-0000004F.ok", QueuePrefix::nse, QueueState::sent);
    check("PSE-12C-0000006A-00000000.ok", QueuePrefix::pse, QueueState::sent);
    check("NSE-FFF-0000006A-00000050.blocked", QueuePrefix::nse, QueueState::blocked);
    check("pse-12c-0000006a-00000001.DISABLED", QueuePrefix::pse, QueueState::disabled);
    check("PSE-12C-0000006A-00000002", QueuePrefix::pse, QueueState::waiting);
    EXPECT_FALSE(classify_queue_file("NSE-FFF-0000006A-00000003.tmp"));
    EXPECT_FALSE(classify_queue_file("desktop.ini"));
    EXPECT_FALSE(classify_queue_file("NS"));
}

TEST(EventQueueReader, CountsPerNsFolderByStateAndPrefix) {
    TempTree tree;
    const auto queue = tree.mkdir("Queue");
    tree.write("Queue/NS01/NSE-FFF-0000006A-0000004F.ok", "x");
    tree.write("Queue/NS01/NSE-FFF-0000006A-00000050.ok", "x");
    tree.write("Queue/NS01/PSE-12C-0000006A-00000000.ok", "x");
    tree.write("Queue/NS01/PSE-12C-0000006A-00000001", "x");
    tree.write("Queue/NS01/PSE-12C-0000006A-00000002", "x");
    tree.write("Queue/NS01/NSE-FFF-0000006A-00000051.blocked", "x");
    tree.write("Queue/NS01/NSE-FFF-0000006A-00000052.disabled", "x");
    tree.write("Queue/NS01/readme.txt", "x");
    tree.mkdir("Queue/NS02");
    tree.write("Queue/NS02/NSE-FFF-0000006B-00000001", "x");
    const auto now = std::chrono::system_clock::now();
    age_file(queue / "NS01" / "PSE-12C-0000006A-00000001", now, hours(3));
    age_file(queue / "NS01" / "PSE-12C-0000006A-00000002", now, minutes(5));
    age_file(queue / "NS01" / "NSE-FFF-0000006A-0000004F.ok", now, hours(48));  // not waiting

    auto summary = read_event_queue(queue, now);
    ASSERT_TRUE(summary.ok()) << summary.error().message;
    ASSERT_EQ(summary->folders.size(), 2u);
    const QueueFolder& ns01 = summary->folders[0];
    EXPECT_EQ(ns01.name, "NS01");
    EXPECT_EQ(ns01.counts.count(QueueState::sent), 3u);
    EXPECT_EQ(ns01.counts.count(QueueState::waiting), 2u);
    EXPECT_EQ(ns01.counts.count(QueueState::blocked), 1u);
    EXPECT_EQ(ns01.counts.count(QueueState::disabled), 1u);
    EXPECT_EQ(ns01.counts.nse[static_cast<std::size_t>(QueueState::sent)], 2u);
    EXPECT_EQ(ns01.counts.pse[static_cast<std::size_t>(QueueState::sent)], 1u);
    EXPECT_EQ(ns01.counts.pse[static_cast<std::size_t>(QueueState::waiting)], 2u);
    EXPECT_EQ(ns01.other_files, 1u);
    ASSERT_TRUE(ns01.oldest_waiting);
    const auto age = std::chrono::duration_cast<minutes>(now - *ns01.oldest_waiting);
    EXPECT_GE(age.count(), 179);
    EXPECT_LE(age.count(), 181);
    EXPECT_EQ(summary->folders[1].name, "NS02");
    EXPECT_EQ(summary->count(QueueState::waiting), 3u);
    EXPECT_EQ(summary->count(QueueState::sent), 3u);

    const nlohmann::json json = queue_summary_to_json(summary.value());
    EXPECT_EQ(json["waiting"], 3);
    EXPECT_EQ(json["blocked"], 1);
    EXPECT_EQ(json["disabled"], 1);
    EXPECT_EQ(json["folders"][0]["ns"], "NS01");
    EXPECT_EQ(json["folders"][0]["pse"]["waiting"], 2);
    const auto oldest = json["oldest_waiting_seconds"].get<std::int64_t>();
    EXPECT_GE(oldest, 3 * 3600 - 60);
    EXPECT_LE(oldest, 3 * 3600 + 60);
    EXPECT_TRUE(json["folders"][1]["oldest_waiting_seconds"].is_number());
}

TEST(EventQueueReader, EventsDirectlyInTheQueueFolderAreCountedToo) {
    TempTree tree;
    tree.write("NS01/NSE-FFF-0000006A-00000001", "x");
    tree.write("NSE-FFF-0000006A-00000002.blocked", "x");
    auto summary = read_event_queue(tree.root(), std::chrono::system_clock::now());
    ASSERT_TRUE(summary.ok()) << summary.error().message;
    ASSERT_EQ(summary->folders.size(), 2u);
    EXPECT_EQ(summary->folders[0].name, "");
    EXPECT_EQ(summary->folders[0].counts.count(QueueState::blocked), 1u);
    EXPECT_EQ(summary->folders[1].counts.count(QueueState::waiting), 1u);
}

TEST(EventQueueReader, LinksAreNeverFollowed) {
    TempTree tree;
    tree.write("elsewhere/NSE-FFF-0000006A-00000001", "x");
    tree.write("elsewhere/NSE-FFF-0000006A-00000002", "x");
    tree.mkdir("Queue/NS01");
    tree.write("Queue/NS01/NSE-FFF-0000006A-00000003", "x");
    PSGUARD_LINK_OR_SKIP(test::make_directory_link(tree / "elsewhere", tree / "Queue" / "NS02"));
    auto summary = read_event_queue(tree / "Queue", std::chrono::system_clock::now());
    ASSERT_TRUE(summary.ok()) << summary.error().message;
    EXPECT_EQ(summary->count(QueueState::waiting), 1u);
    ASSERT_FALSE(summary->folders.empty());
    EXPECT_EQ(summary->folders[0].name, "");
    EXPECT_EQ(summary->folders[0].links_skipped, 1u);

    // The queue folder itself as a link: refused.
    PSGUARD_LINK_OR_SKIP(test::make_directory_link(tree / "Queue", tree / "QueueLink"));
    auto through = read_event_queue(tree / "QueueLink", std::chrono::system_clock::now());
    ASSERT_FALSE(through.ok());
    EXPECT_NE(through.error().message.find("not followed"), std::string::npos);
}

TEST(EventQueueReader, AMissingFolderIsAnError) {
    TempTree tree;
    auto summary = read_event_queue(tree / "Queue", std::chrono::system_clock::now());
    ASSERT_FALSE(summary.ok());
    EXPECT_NE(summary.error().message.find("does not exist"), std::string::npos);
}

TEST(EventQueueReader, AnEmptyQueueHasNoFolders) {
    TempTree tree;
    auto summary = read_event_queue(tree.root(), std::chrono::system_clock::now());
    ASSERT_TRUE(summary.ok());
    EXPECT_TRUE(summary->folders.empty());
    EXPECT_EQ(queue_summary_to_json(*summary)["oldest_waiting_seconds"], nullptr);
}

}  // namespace
}  // namespace psguard
