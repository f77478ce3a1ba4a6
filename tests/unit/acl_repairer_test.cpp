// The ACL repair's journal discipline on a real folder: the permissions are journaled before any
// change, restore and crash recovery put them back exactly, and the retry rules hold.
// POSIX: a real libacl change for `nobody`. Wine: the grant does not stick (it keeps no DACL),
// so the failed path is what is checked there: journaled, reported, nothing left changed.
#include "heal/acl_repairer.hpp"

#include <gtest/gtest.h>

#ifdef _WIN32
#include "platform/win_text.hpp"
#endif

#include "acl/acl_repair.hpp"
#include "core/utc_time.hpp"
#include "core/utf8_path.hpp"
#include "temp_tree.hpp"
#include "wine_detect.hpp"

namespace psguard {
namespace {

std::string grantee() {
#ifdef _WIN32
    wchar_t name[256] = {};
    DWORD size = 256;
    return GetUserNameW(name, &size) ? to_utf8(name) : std::string();
#else
    return "nobody";
#endif
}

class AclRepairerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        folder = tree.mkdir("Package Delivery");
        auto saved = snapshot_descriptor(folder);
        ASSERT_TRUE(saved.ok()) << saved.error().message;
        before = saved.value();
        ASSERT_TRUE(journal.load().ok());
    }

    std::string now_descriptor() const { return snapshot_descriptor(folder).value(); }

    test::TempTree tree;
    std::filesystem::path folder;
    std::string before;
    Journal journal{tree.root() / "journal.jsonl"};
    AclRepairer repairer{journal};
    const TimePoint now = parse_utc("2026-11-26T06:30:00Z").value();
};

TEST_F(AclRepairerTest, JournalsTheSavedPermissionsBeforeTheChangeAndRestoresThem) {
    const AclRepairOutcome outcome = repairer.repair(folder, grantee(), "lacks write", now);
    ASSERT_FALSE(journal.records().empty());
    const auto* intent = std::get_if<IntentEvent>(&journal.records().front().event);
    ASSERT_NE(intent, nullptr) << "the intent comes first";
    EXPECT_EQ(intent->kind, ActionKind::acl);
    EXPECT_EQ(intent->descriptor, before);
    EXPECT_EQ(intent->account, grantee());

    if (test::running_under_wine()) {
        EXPECT_FALSE(outcome.done);
        EXPECT_NE(outcome.detail.find("grant failed"), std::string::npos) << outcome.detail;
        EXPECT_EQ(journal.action(outcome.action_id)->result, ActionResult::failed);
        EXPECT_EQ(now_descriptor(), before);
        return;
    }
    ASSERT_TRUE(outcome.done) << outcome.detail;
    EXPECT_NE(now_descriptor(), before);
    EXPECT_EQ(journal.action(outcome.action_id)->result, ActionResult::awaiting_verification);
    EXPECT_TRUE(repairer.repair_blocked(folder, now).has_value());  // awaits verification

    ASSERT_TRUE(repairer.restore(outcome.action_id, now).ok());
    EXPECT_EQ(now_descriptor(), before);
    EXPECT_EQ(journal.action(outcome.action_id)->result, ActionResult::restored);
    EXPECT_FALSE(repairer.restore(outcome.action_id, now).ok()) << "restored twice";
    // An operator's restore is respected for a day.
    EXPECT_TRUE(repairer.repair_blocked(folder, now + std::chrono::hours(23)).has_value());
    EXPECT_FALSE(repairer.repair_blocked(folder, now + std::chrono::hours(25)).has_value());
}

TEST_F(AclRepairerTest, RecoveryRollsBackARepairWhoseOutcomeWasNeverJournaled) {
    // A crash between the change and its journal record: only the intent is on disk.
    IntentEvent intent;
    intent.kind = ActionKind::acl;
    intent.mode = ActionMode::acl;
    intent.acl_path = folder;
    intent.account = grantee();
    intent.descriptor = before;
    ASSERT_TRUE(journal.append("a-1", intent, now).ok());
    (void)grant_modify(folder, grantee());  // the change that happened (a no-op under Wine)

    const auto recovered = repairer.recover(now);
    ASSERT_EQ(recovered.size(), 1u);
    EXPECT_EQ(recovered[0].action_id, "a-1");
    EXPECT_EQ(now_descriptor(), before);
    EXPECT_EQ(journal.action("a-1")->result, ActionResult::rolled_back);
    EXPECT_FALSE(repairer.repair_blocked(folder, now).has_value()) << "retried at once";
    EXPECT_TRUE(repairer.recover(now).empty()) << "recovered once";
}

TEST_F(AclRepairerTest, OnlyAclActionsAreItsBusiness) {
    EXPECT_FALSE(repairer.restore("no-such-action", now).ok());
    IntentEvent files;
    files.package = "{x}";
    ASSERT_TRUE(journal.append("f-1", files, now).ok());
    EXPECT_FALSE(repairer.restore("f-1", now).ok());
    EXPECT_TRUE(repairer.recover(now).empty());  // a files action is the Healer's
}

}  // namespace
}  // namespace psguard
