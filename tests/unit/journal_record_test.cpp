// The journal's one codec: lines as psguard has always written them read into typed events and
// write back the same; the actions they add up to; and what a line may not say.
#include "heal/journal_record.hpp"

#include <gtest/gtest.h>

namespace psguard {
namespace {

const std::string kAction = "20261126T063000Z-6c821f5e-1";
const std::string kQuarantine =
    "/var/lib/psguard/quarantine/20261126T063000Z-6c821f5e-1/delivery/"
    "{6C821F5E-0000-4000-8000-000000000001}/snapshot.xml";

// One action's life in the journal, each line as the JSON-building psguard before the typed
// journal wrote it (keys in nlohmann's order).
const std::vector<std::string> kLines = {
    R"({"action":")" + kAction +
        R"(","event":"intent","files":[{"original":"/srv/Package Delivery/{6C821F5E-0000-4000-8000-000000000001}/snapshot.xml","quarantined":")" +
        kQuarantine +
        R"(","role":"snapshot","sha256":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","size":152}],"mode":"quarantine","package":"{6c821f5e-0000-4000-8000-000000000001}","reason":"stale on the NS for 2 cycles","seq":1,"time":"2026-11-26T06:30:00Z"})",
    R"({"action":")" + kAction +
        R"(","event":"file_moved","role":"snapshot","seq":2,"time":"2026-11-26T06:30:00Z"})",
    R"({"action":")" + kAction + R"(","event":"files_done","seq":3,"time":"2026-11-26T06:30:00Z"})",
    R"({"action":")" + kAction +
        R"(","command":["/usr/bin/touch","/tmp/x"],"event":"refresh","exit_code":0,"output":"","seq":4,"summary":"refresh command exited 0","time":"2026-11-26T06:30:01Z"})",
    R"({"action":")" + kAction +
        R"(","command":["C:\\agent.exe"],"event":"refresh","exit_code":null,"output":"half","seq":5,"summary":"refresh command killed after 120 s","time":"2026-11-26T06:32:01Z"})",
    R"({"action":")" + kAction +
        R"(","event":"refresh","seq":6,"summary":"restarted service AeXNSClient","time":"2026-11-26T06:32:02Z"})",
    R"({"action":")" + kAction + R"(","event":"verified","seq":7,"time":"2026-11-26T07:00:00Z"})",
    R"({"action":")" + kAction + R"(","event":"replaced_kept","path":")" + kQuarantine +
        R"(.replaced-1795590000","role":"snapshot","seq":8,"time":"2026-11-27T08:00:00Z"})",
    R"({"action":")" + kAction +
        R"(","detail":"restored /srv/Package Delivery/x/snapshot.xml","event":"restored","seq":9,"time":"2026-11-27T08:00:00Z"})",
    R"j({"account":"PS01\\svc-pkg","action":"20261126T063000Z-acl-10","descriptor":"D:(A;;FA;;;SY)","event":"intent","kind":"acl","mode":"acl","path":"/srv/Package Delivery","reason":"credential account PS01\\svc-pkg still lacks write on /srv/Package Delivery","seq":10,"time":"2026-11-26T06:30:00Z"})j",
    R"({"action":"20261126T063000Z-acl-10","detail":"granted PS01\\svc-pkg modify on /srv/Package Delivery (this folder, subfolders and files); previous permissions saved","event":"acl_granted","seq":11,"time":"2026-11-26T06:30:00Z"})",
    R"({"action":"20261126T063000Z-acl-10","detail":"still lacks write","event":"verify_failed","seq":12,"time":"2026-11-26T07:30:00Z"})",
    R"({"action":"20261126T090000Z-6c821f5e-13","event":"file_deleted","role":"package_status","seq":13,"time":"2026-11-26T09:00:00Z"})",
    R"({"action":"20261126T090000Z-6c821f5e-13","detail":"interrupted; recovered at start: snapshot still in place","event":"rolled_back","seq":14,"time":"2026-11-26T09:05:00Z"})",
    R"({"action":"20261126T100000Z-6c821f5e-15","detail":"failed on /srv/x: cannot move","event":"failed","seq":15,"time":"2026-11-26T10:00:00Z"})",
};

TEST(JournalCodec, LinesOfEveryEventReadAndWriteBackTheSame) {
    for (const auto& line : kLines) {
        auto record = decode(line);
        ASSERT_TRUE(record) << line << ": " << record.error().message;
        EXPECT_EQ(to_json(*record), nlohmann::json::parse(line)) << line;
        EXPECT_EQ(nlohmann::json::parse(encode(*record)), nlohmann::json::parse(line));
        EXPECT_EQ(event_name(record->event), nlohmann::json::parse(line)["event"]);
    }
}

TEST(JournalCodec, TheLinesAddUpToTheActionsTheyDescribe) {
    std::vector<JournalRecord> records;
    for (const auto& line : kLines) {
        records.push_back(decode(line).value());
    }
    const auto actions = summarize(records);
    ASSERT_EQ(actions.size(), 4u);

    const ActionSummary& heal = actions[0];
    EXPECT_EQ(heal.id, kAction);
    EXPECT_EQ(heal.kind, ActionKind::files);
    EXPECT_EQ(heal.mode, ActionMode::quarantine);
    EXPECT_EQ(heal.time, *parse_utc("2026-11-26T06:30:00Z"));
    ASSERT_EQ(heal.files.size(), 1u);
    EXPECT_EQ(heal.files[0].role, FileRole::snapshot);
    EXPECT_EQ(heal.files[0].quarantined, std::filesystem::path(kQuarantine));
    EXPECT_EQ(heal.files[0].size, 152u);
    EXPECT_EQ(heal.moved_roles, std::vector<FileRole>{FileRole::snapshot});
    EXPECT_EQ(heal.result, ActionResult::restored);
    EXPECT_EQ(heal.detail, "restored /srv/Package Delivery/x/snapshot.xml");

    const ActionSummary& acl = actions[1];
    EXPECT_EQ(acl.kind, ActionKind::acl);
    EXPECT_EQ(acl.mode, ActionMode::acl);
    EXPECT_EQ(acl.acl_path, std::filesystem::path("/srv/Package Delivery"));
    EXPECT_EQ(acl.account, "PS01\\svc-pkg");
    EXPECT_EQ(acl.saved_descriptor, "D:(A;;FA;;;SY)");
    EXPECT_EQ(acl.result, ActionResult::verify_failed);
    EXPECT_EQ(acl.detail, "still lacks write");

    EXPECT_EQ(actions[2].result, ActionResult::rolled_back);
    EXPECT_EQ(actions[3].result, ActionResult::failed);

    const auto json = to_json(heal);
    EXPECT_EQ(json["kind"], "files");
    EXPECT_EQ(json["mode"], "quarantine");
    EXPECT_EQ(json["result"], "restored");
    EXPECT_EQ(json["files"][0]["role"], "snapshot");
    EXPECT_EQ(to_json(acl)["path"], "/srv/Package Delivery");
}

TEST(JournalCodec, VerifiedKeepsTheRefreshSummaryAsItsDetail) {
    std::vector<JournalRecord> records;
    for (std::size_t i = 0; i < 7; ++i) {
        records.push_back(decode(kLines[i]).value());
    }
    const auto action = summarize(records).front();
    EXPECT_EQ(action.result, ActionResult::verified);
    EXPECT_EQ(action.detail, "restarted service AeXNSClient");
}

TEST(JournalCodec, AnOldShortLineReadsWithTheDefaults) {
    auto record = decode(R"({"action":"A","event":"intent"})");
    ASSERT_TRUE(record) << record.error().message;
    const auto* intent = std::get_if<IntentEvent>(&record->event);
    ASSERT_NE(intent, nullptr);
    EXPECT_EQ(intent->kind, ActionKind::files);
    EXPECT_EQ(intent->mode, ActionMode::quarantine);
    EXPECT_EQ(record->seq, 0u);
    auto acl = decode(R"({"action":"B","event":"intent","kind":"acl"})");
    ASSERT_TRUE(acl);
    EXPECT_EQ(std::get<IntentEvent>(acl->event).mode, ActionMode::acl);
}

TEST(JournalCodec, AnEventOfANewerVersionIsKeptAndSkipped) {
    auto intent =
        decode(R"({"action":"A","event":"intent","seq":1,"time":"2026-11-26T06:30:00Z"})");
    auto newer = decode(R"({"action":"A","event":"checksum_audit","seq":2,"extra":1})");
    ASSERT_TRUE(intent);
    ASSERT_TRUE(newer) << newer.error().message;
    EXPECT_EQ(event_name(newer->event), "checksum_audit");
    const auto actions = summarize({*intent, *newer});
    ASSERT_EQ(actions.size(), 1u);
    EXPECT_EQ(actions[0].result, ActionResult::in_progress);
}

TEST(JournalCodec, AKnownEventWithAnUnknownValueIsAnError) {
    auto role = decode(R"({"action":"A","event":"file_moved","role":"cache"})");
    ASSERT_FALSE(role);
    EXPECT_NE(role.error().message.find("unknown role \"cache\""), std::string::npos)
        << role.error().message;
    EXPECT_FALSE(decode(R"({"action":"A","event":"intent","mode":"shred"})"));
    EXPECT_FALSE(decode(R"({"action":"A","event":"intent","kind":"registry"})"));
    EXPECT_FALSE(decode(R"({"action":"A","event":"files_done","seq":"seven"})"));
    EXPECT_FALSE(
        decode(R"({"action":"A","event":"intent","files":[{"role":"snapshot","size":-1}]})"));
    EXPECT_FALSE(decode(R"({"event":"intent"})"));
    EXPECT_FALSE(decode(R"(["A","intent"])"));
    EXPECT_FALSE(decode("{\"action\":\"A\",\"ev"));
}

// An intent as the metadata-keeping psguard wrote it: each file with its security (the POSIX
// form, and the Windows one), read into the typed file and written back the same.
TEST(JournalCodec, AFilesSecurityReadsAndWritesBackTheSame) {
    const std::string line =
        R"j({"action":"A","event":"intent","files":[{"original":"/srv/p/snapshot.xml","quarantined":"/q/A/delivery/p/snapshot.xml","role":"snapshot","security":{"acl":"user::rw-,user:1234:r--,group::r--,mask::r--,other::r--","group":65534,"mode":"0644","owner":65534},"sha256":"ab","size":1},{"original":"/srv/s/PackageStatus.xml","quarantined":"/q/A/status/s/PackageStatus.xml","role":"package_status","security":{"descriptor":"O:SYG:SYD:P(A;;FA;;;SY)"},"sha256":"cd","size":2}],"mode":"quarantine","package":"p","reason":"r","seq":1,"time":"2026-11-26T06:30:00Z"})j";
    auto record = decode(line);
    ASSERT_TRUE(record) << record.error().message;
    EXPECT_EQ(to_json(*record), nlohmann::json::parse(line));
    const auto& files = std::get<IntentEvent>(record->event).files;
    ASSERT_EQ(files.size(), 2u);
    ASSERT_TRUE(files[0].security);
    EXPECT_EQ(files[0].security->owner, 65534u);
    EXPECT_EQ(files[0].security->mode, 0644u);
    EXPECT_EQ(files[0].security->acl, "user::rw-,user:1234:r--,group::r--,mask::r--,other::r--");
    ASSERT_TRUE(files[1].security);
    EXPECT_EQ(files[1].security->descriptor, "O:SYG:SYD:P(A;;FA;;;SY)");
    const auto action = summarize({*record}).front();
    EXPECT_EQ(to_json(action)["files"][0]["security"]["mode"], "0644");
    // Lines from before psguard kept the security read without one.
    EXPECT_FALSE(std::get<IntentEvent>(decode(kLines[0])->event).files[0].security);
}

// A security that does not parse would restore a file as it was not: the line is damaged.
TEST(JournalCodec, ASecurityThatDoesNotParseIsAnError) {
    auto record = decode(
        R"({"action":"A","event":"intent","files":[{"role":"snapshot","security":{"owner":0,"group":0,"mode":"rw-r--r--"}}]})");
    ASSERT_FALSE(record);
    EXPECT_NE(record.error().message.find("security"), std::string::npos) << record.error().message;
}

#ifndef _WIN32
// Paths are stored as path_to_utf8 shows them: a name that is not UTF-8 (and a backslash)
// comes back byte for byte, in every path field.
TEST(JournalCodec, PathsThatAreNotUtf8ComeBackByteForByte) {
    const std::filesystem::path odd = std::string("/srv/p\xff\\x41/snapshot.xml");
    IntentEvent intent;
    intent.package = "p";
    intent.files.push_back(JournalFile{FileRole::snapshot, odd, odd.string() + ".q", "ab", 1, {}});
    JournalRecord written{"A", 1, TimePoint{}, intent};
    const std::string line = encode(written);
    EXPECT_NE(line.find(R"(/srv/p\\xff\\x5cx41/snapshot.xml)"), std::string::npos) << line;
    auto read = decode(line);
    ASSERT_TRUE(read) << read.error().message;
    const auto& file = std::get<IntentEvent>(read->event).files.at(0);
    EXPECT_EQ(file.original.native(), odd.native());
    EXPECT_EQ(file.quarantined.native(), odd.native() + ".q");

    auto kept = decode(
        encode(JournalRecord{"A", 2, TimePoint{}, ReplacedKeptEvent{FileRole::snapshot, odd}}));
    ASSERT_TRUE(kept);
    EXPECT_EQ(std::get<ReplacedKeptEvent>(kept->event).path.native(), odd.native());
    IntentEvent acl;
    acl.kind = ActionKind::acl;
    acl.mode = ActionMode::acl;
    acl.acl_path = odd.parent_path();
    auto folder = decode(encode(JournalRecord{"B", 3, TimePoint{}, acl}));
    ASSERT_TRUE(folder);
    EXPECT_EQ(std::get<IntentEvent>(folder->event).acl_path.native(), odd.parent_path().native());
}
#endif

}  // namespace
}  // namespace psguard
