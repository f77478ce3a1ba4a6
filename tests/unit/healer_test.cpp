// The healer on real files: quarantine with hashes, journal first, the path guard, restore,
// crash recovery in every interrupted state.
#include "heal/healer.hpp"

#include <gtest/gtest.h>

#ifndef _WIN32
#include <acl/libacl.h>
#include <sys/acl.h>
#include <sys/stat.h>
#endif

#include <fstream>

#include "acl/file_security.hpp"
#include "core/utf8_path.hpp"
#include "heal/path_guard.hpp"
#include "platform/sha256.hpp"
#include "unit/temp_tree.hpp"

namespace psguard {
namespace {

namespace fs = std::filesystem;
using test::TempTree;

const std::string kHealerId = "{6c821f5e-1234-4abc-9def-0123456789ab}";
const std::string kFolder = "{6C821F5E-1234-4ABC-9DEF-0123456789AB}";
const TimePoint kHealerNow = *parse_utc("2026-11-26T12:00:00Z");

std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

class HealerTest : public ::testing::Test {
  protected:
    HealerTest() : journal_(tree_ / "state" / "journal.jsonl") {
        paths_.package_delivery = tree_ / "Package Delivery";
        paths_.package_status = tree_ / "PackageStatus";
        paths_.state_dir = tree_ / "state";
        fs::create_directories(paths_.state_dir);
        snapshot_ = tree_.write(fs::path("Package Delivery") / kFolder / "snapshot.xml",
                                "<snapshot version=\"7\"/>");
        status_ = tree_.write(fs::path("PackageStatus") / kFolder / "PackageStatus.xml",
                              "<PackageStatus status=\"Ready\" version=\"7\"/>");
        tree_.write(fs::path("Package Delivery") / kFolder / "cache" / "setup.exe", "MZ");
        package_.delivery_dir = snapshot_.parent_path();
        package_.status_dir = status_.parent_path();
    }

    Healer healer() { return Healer(paths_, config_, journal_); }

    // A journal entry for a snapshot said to be quarantined at `quarantined` (which exists).
    static JournalFile snapshot_entry(const fs::path& original, const fs::path& quarantined) {
        JournalFile file;
        file.role = FileRole::snapshot;
        file.original = original;
        file.quarantined = quarantined;
        file.sha256 = sha256_file(quarantined)->sha256;
        file.size = fs::file_size(quarantined);
        return file;
    }

    // The intent the healer writes for the package's `files`.
    static IntentEvent files_intent(std::vector<JournalFile> files) {
        IntentEvent intent;
        intent.package = kHealerId;
        intent.files = std::move(files);
        return intent;
    }

    TempTree tree_;
    PathsConfig paths_;
    HealConfig config_;
    Journal journal_;
    HealTarget package_{kHealerId, {}, {}};
    fs::path snapshot_;
    fs::path status_;
};

TEST_F(HealerTest, QuarantinesBothFilesJournalFirst) {
    const std::string snapshot_bytes = read(snapshot_);
    auto outcome = healer().heal(package_, "stale for 2 cycles", kHealerNow);
    ASSERT_TRUE(outcome.done) << outcome.detail;
    EXPECT_FALSE(fs::exists(snapshot_));
    EXPECT_FALSE(fs::exists(status_));
    EXPECT_TRUE(fs::exists(tree_ / "Package Delivery" / kFolder / "cache" / "setup.exe"))
        << "only the two status files are ever touched";

    const auto action = journal_.action(outcome.action_id);
    ASSERT_TRUE(action);
    EXPECT_EQ(action->result, ActionResult::awaiting_verification);
    ASSERT_EQ(action->files.size(), 2u);
    EXPECT_EQ(read(action->files[0].quarantined), snapshot_bytes);
    EXPECT_EQ(action->files[0].sha256, sha256_hex(snapshot_bytes));
    EXPECT_EQ(action->files[0].size, snapshot_bytes.size());
    // The intent came before any step.
    const auto& records = journal_.records();
    ASSERT_GE(records.size(), 4u);
    EXPECT_EQ(event_name(records[0].event), "intent");
    EXPECT_EQ(event_name(records[1].event), "file_moved");
    EXPECT_EQ(event_name(records.back().event), "files_done");

    // The journal on disk says the same after a reload.
    Journal reloaded(journal_.file());
    ASSERT_TRUE(reloaded.load());
    EXPECT_EQ(reloaded.action(outcome.action_id)->result, ActionResult::awaiting_verification);
}

TEST_F(HealerTest, RestoreIsByteIdentical) {
    const std::string snapshot_bytes = read(snapshot_);
    const std::string status_bytes = read(status_);
    auto outcome = healer().heal(package_, "stale", kHealerNow);
    ASSERT_TRUE(outcome.done);
    auto restored = healer().restore(outcome.action_id, {}, kHealerNow);
    ASSERT_TRUE(restored) << restored.error().message;
    EXPECT_EQ(read(snapshot_), snapshot_bytes);
    EXPECT_EQ(read(status_), status_bytes);
    EXPECT_EQ(journal_.action(outcome.action_id)->result, ActionResult::restored);
    EXPECT_FALSE(healer().restore(outcome.action_id, {}, kHealerNow)) << "restored only once";
}

#ifndef _WIN32
// A path whose bytes are not UTF-8 (here a storage root's name) is journaled escaped and read
// back byte for byte: a restore from the journal on disk puts the files where they were.
TEST_F(HealerTest, RestoreFromDiskFindsAPathThatIsNotUtf8) {
    const fs::path store = tree_ / "store\xFF";
    paths_.storage_roots = {store};
    const fs::path folder = store / "Package Delivery" / kFolder;
    const fs::path snapshot = tree_.write(folder.lexically_relative(tree_.root()) / "snapshot.xml",
                                          "<snapshot version=\"7\"/>");
    package_.delivery_dir = folder;
    auto outcome = healer().heal(package_, "stale", kHealerNow);
    ASSERT_TRUE(outcome.done) << outcome.detail;
    ASSERT_FALSE(fs::exists(snapshot));

    Journal reloaded(journal_.file());
    ASSERT_TRUE(reloaded.load());
    const auto action = reloaded.action(outcome.action_id);
    ASSERT_TRUE(action);
    EXPECT_EQ(action->files[0].original, snapshot);
    auto restored = Healer(paths_, config_, reloaded).restore(outcome.action_id, {}, kHealerNow);
    ASSERT_TRUE(restored) << restored.error().message;
    EXPECT_EQ(read(snapshot), "<snapshot version=\"7\"/>");
}
#endif

TEST_F(HealerTest, JournalsEachFilesOwnerAndPermissions) {
    const auto snapshot_security = read_file_security(snapshot_);
    ASSERT_TRUE(snapshot_security) << snapshot_security.error().message;
    auto outcome = healer().heal(package_, "stale", kHealerNow);
    ASSERT_TRUE(outcome.done) << outcome.detail;
    Journal reloaded(journal_.file());
    ASSERT_TRUE(reloaded.load());
    const auto action = reloaded.action(outcome.action_id);
    ASSERT_TRUE(action);
    ASSERT_EQ(action->files.size(), 2u);
    ASSERT_TRUE(action->files[0].security) << "the intent holds the file's security";
    EXPECT_EQ(*action->files[0].security, *snapshot_security);
    EXPECT_TRUE(action->files[1].security);
}

#ifndef _WIN32
// The quarantined copy lost its mode and ACL (as a copy to another volume does): restore gives
// the file back the ones the journal recorded.
TEST_F(HealerTest, RestorePutsBackTheJournaledModeAndAcl) {
    acl_t acl = acl_from_text("user::rw-,user:1234:r--,group::r--,mask::r--,other::r--");
    ASSERT_NE(acl, nullptr);
    ASSERT_EQ(acl_set_file(snapshot_.c_str(), ACL_TYPE_ACCESS, acl), 0);
    acl_free(acl);
    auto outcome = healer().heal(package_, "stale", kHealerNow);
    ASSERT_TRUE(outcome.done) << outcome.detail;
    const fs::path quarantined = journal_.action(outcome.action_id)->files[0].quarantined;
    acl_t plain = acl_from_mode(0600);
    ASSERT_EQ(acl_set_file(quarantined.c_str(), ACL_TYPE_ACCESS, plain), 0);
    acl_free(plain);

    ASSERT_TRUE(healer().restore(outcome.action_id, {}, kHealerNow));
    struct stat st {};
    ASSERT_EQ(::stat(snapshot_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0644u);
    acl_t back = acl_get_file(snapshot_.c_str(), ACL_TYPE_ACCESS);
    ASSERT_NE(back, nullptr);
    char* text = acl_to_any_text(back, nullptr, ',', TEXT_NUMERIC_IDS);
    EXPECT_STREQ(text, "user::rw-,user:1234:r--,group::r--,mask::r--,other::r--");
    acl_free(text);
    acl_free(back);
}
#endif

TEST_F(HealerTest, RestoreRefusesToOverwriteARebuiltFileUnlessForced) {
    auto outcome = healer().heal(package_, "stale", kHealerNow);
    ASSERT_TRUE(outcome.done);
    tree_.write(fs::path("Package Delivery") / kFolder / "snapshot.xml", "<rebuilt/>");
    auto refused = healer().restore(outcome.action_id, {}, kHealerNow);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("--force"), std::string::npos);
    EXPECT_EQ(read(snapshot_), "<rebuilt/>");

    auto forced = healer().restore(outcome.action_id, RestoreOptions{true}, kHealerNow);
    ASSERT_TRUE(forced) << forced.error().message;
    EXPECT_EQ(read(snapshot_), "<snapshot version=\"7\"/>");
    // The rebuilt file was not lost: it sits in quarantine.
    bool kept = false;
    for (const auto& entry : fs::recursive_directory_iterator(paths_.state_dir / "quarantine")) {
        kept = kept || (entry.is_regular_file() && read(entry.path()) == "<rebuilt/>");
    }
    EXPECT_TRUE(kept);
}

TEST_F(HealerTest, DeleteModeIsJournaledWithHashes) {
    config_.mode = HealMode::remove;
    auto outcome = healer().heal(package_, "stale", kHealerNow);
    ASSERT_TRUE(outcome.done) << outcome.detail;
    EXPECT_FALSE(fs::exists(snapshot_));
    const auto action = journal_.action(outcome.action_id);
    EXPECT_EQ(action->mode, ActionMode::remove);
    EXPECT_EQ(action->files[0].sha256, sha256_hex("<snapshot version=\"7\"/>"));
    EXPECT_FALSE(fs::exists(paths_.state_dir / "quarantine" / outcome.action_id));
    EXPECT_FALSE(healer().restore(outcome.action_id, {}, kHealerNow));
}

TEST_F(HealerTest, RefusesAFolderThatIsNotThePackagesGuid) {
    package_.id = "{00000000-0000-4000-8000-000000000001}";
    const std::string before = test::describe_tree(tree_.root());
    auto outcome = healer().heal(package_, "stale", kHealerNow);
    EXPECT_FALSE(outcome.done);
    EXPECT_NE(outcome.detail.find("refused"), std::string::npos) << outcome.detail;
    EXPECT_EQ(test::describe_tree(tree_.root()), before);
    EXPECT_TRUE(journal_.records().empty()) << "a refusal writes no intent";
}

TEST_F(HealerTest, RefusesASymlinkedPackageFolder) {
    // The package folder is a link to a folder outside the root.
    const auto outside = tree_.mkdir("outside");
    tree_.write("outside/snapshot.xml", "<precious/>");
    const auto link = tree_ / "Package Delivery" / "{11111111-2222-4333-8444-555555555555}";
    if (auto why = test::make_directory_link(outside, link)) {
        GTEST_SKIP() << "cannot create a directory link here: " << *why;
    }
    const HealTarget linked{"{11111111-2222-4333-8444-555555555555}", link, {}};
    const std::string before = test::describe_tree(tree_.root());
    auto outcome = healer().heal(linked, "stale", kHealerNow);
    EXPECT_FALSE(outcome.done);
    EXPECT_NE(outcome.detail.find("never acts through a link"), std::string::npos)
        << outcome.detail;
    EXPECT_EQ(test::describe_tree(tree_.root()), before);
    EXPECT_EQ(read(outside / "snapshot.xml"), "<precious/>");
}

TEST_F(HealerTest, RefusesASymlinkedStatusFile) {
    const auto target = tree_.write("elsewhere/PackageStatus.xml", "<precious/>");
    fs::remove(status_);
    if (auto why = test::make_file_symlink(target, status_)) {
        GTEST_SKIP() << "cannot create a file symlink here: " << *why;
    }
    const std::string before = test::describe_tree(tree_.root());
    auto outcome = healer().heal(package_, "stale", kHealerNow);
    EXPECT_FALSE(outcome.done);
    EXPECT_EQ(test::describe_tree(tree_.root()), before);
}

TEST(PathGuard, AcceptsOnlyTheTwoFilesDirectlyUnderTheRoots) {
    TempTree tree;
    PathsConfig paths;
    paths.package_delivery = tree / "PD";
    paths.package_status = tree / "PS";
    const auto good = tree.write(fs::path("PD") / kFolder / "snapshot.xml", "x");
    const auto other_name = tree.write(fs::path("PD") / kFolder / "package.xml", "x");
    const auto deeper = tree.write(fs::path("PD") / "sub" / kFolder / "snapshot.xml", "x");
    const auto outside = tree.write(fs::path("elsewhere") / kFolder / "snapshot.xml", "x");
    EXPECT_TRUE(check_heal_target(paths, good, kHealerId, "snapshot.xml"));
    EXPECT_TRUE(
        check_heal_target(paths, good.parent_path() / "SNAPSHOT.XML", kHealerId, "snapshot.xml") ||
        !fs::exists(good.parent_path() / "SNAPSHOT.XML"))
        << "case-insensitive where the file system is";
    EXPECT_FALSE(check_heal_target(paths, other_name, kHealerId, "package.xml"));
    EXPECT_FALSE(check_heal_target(paths, other_name, kHealerId, "snapshot.xml"));
    EXPECT_FALSE(check_heal_target(paths, deeper, kHealerId, "snapshot.xml"));
    EXPECT_FALSE(check_heal_target(paths, outside, kHealerId, "snapshot.xml"));
    EXPECT_FALSE(check_heal_target(paths, tree / "PD" / kFolder / ".." / kFolder / "snapshot.xml",
                                   kHealerId, "snapshot.xml"));
    EXPECT_FALSE(
        check_heal_target(paths, good, "{00000000-0000-4000-8000-000000000001}", "snapshot.xml"));
}

// Crash recovery: the journal says what was in flight; recovery leaves each file in exactly
// one place. Each state a crash can leave is built by hand here; the real SIGKILL test is in
// the integration suite.
class RecoveryTest : public HealerTest {
  protected:
    // Writes an intent for both files, as the healer does before touching anything.
    std::vector<JournalFile> write_intent(const std::string& action) {
        std::vector<JournalFile> files;
        for (const auto& [path, role, area] :
             {std::tuple{snapshot_, FileRole::snapshot, "delivery"},
              std::tuple{status_, FileRole::package_status, "status"}}) {
            JournalFile file;
            file.role = role;
            file.original = path;
            file.quarantined =
                paths_.state_dir / "quarantine" / action / area / kFolder / path.filename();
            file.sha256 = sha256_file(path)->sha256;
            file.size = fs::file_size(path);
            files.push_back(file);
        }
        EXPECT_TRUE(journal_.append(action, files_intent(files), kHealerNow));
        return files;
    }
    void move(const JournalFile& file) {
        fs::create_directories(file.quarantined.parent_path());
        fs::rename(file.original, file.quarantined);
    }
};

TEST_F(RecoveryTest, IntentOnlyLeavesFilesInPlace) {
    const std::string before = read(snapshot_);
    write_intent("A1");
    const auto outcomes = healer().recover(kHealerNow);
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_EQ(read(snapshot_), before);
    EXPECT_EQ(journal_.action("A1")->result, ActionResult::rolled_back);
}

TEST_F(RecoveryTest, OneFileMovedIsPutBack) {
    const std::string before = read(snapshot_);
    auto files = write_intent("A2");
    move(files[0]);
    healer().recover(kHealerNow);
    EXPECT_EQ(read(snapshot_), before);
    EXPECT_TRUE(fs::exists(status_));
    EXPECT_FALSE(fs::exists(files[0].quarantined)) << "never in both places";
}

TEST_F(RecoveryTest, CopyWithoutSourceRemovalIsNotDuplicated) {
    auto files = write_intent("A3");
    fs::create_directories(files[0].quarantined.parent_path());
    fs::copy_file(files[0].original, files[0].quarantined);  // cross-volume copy, then a crash
    std::ofstream(files[0].quarantined.string() + ".partial") << "half";
    healer().recover(kHealerNow);
    EXPECT_TRUE(fs::exists(snapshot_));
    EXPECT_FALSE(fs::exists(files[0].quarantined));
    EXPECT_FALSE(fs::exists(files[0].quarantined.string() + ".partial"));
}

// Every file reached quarantine intact and only the last records are missing (a crash just
// before them, or a journal that could not be written): the heal stands, it is not undone.
TEST_F(RecoveryTest, BothMovedWithoutFilesDoneIsCompletedNotUndone) {
    auto files = write_intent("A4");
    move(files[0]);
    ASSERT_TRUE(journal_.append("A4", FileDoneEvent{FileRole::snapshot, false}, kHealerNow));
    move(files[1]);  // its file_moved record was never written
    const auto outcomes = healer().recover(kHealerNow);
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_TRUE(outcomes[0].completed) << outcomes[0].detail;
    EXPECT_EQ(outcomes[0].package, kHealerId);
    EXPECT_FALSE(fs::exists(snapshot_));
    EXPECT_FALSE(fs::exists(status_));
    EXPECT_TRUE(fs::exists(files[0].quarantined));
    EXPECT_TRUE(fs::exists(files[1].quarantined));
    EXPECT_EQ(journal_.action("A4")->result, ActionResult::awaiting_verification);
    EXPECT_TRUE(healer().recover(kHealerNow).empty()) << "recovery runs once per action";
}

TEST_F(RecoveryTest, MovedFilesTheAgentRebuiltSinceAreCompleted) {
    auto files = write_intent("A5");
    for (const auto& file : files) {
        move(file);
        ASSERT_TRUE(journal_.append("A5", FileDoneEvent{file.role, false}, kHealerNow));
    }
    tree_.write(fs::path("Package Delivery") / kFolder / "snapshot.xml", "<rebuilt/>");
    const auto outcomes = healer().recover(kHealerNow);
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_TRUE(outcomes[0].completed) << outcomes[0].detail;
    EXPECT_EQ(read(snapshot_), "<rebuilt/>") << "the agent's new file is left alone";
    EXPECT_TRUE(fs::exists(files[0].quarantined));
}

TEST_F(RecoveryTest, ACopyThatIsNotTheJournaledFileIsNeitherTrustedNorMoved) {
    auto files = write_intent("A6");
    move(files[0]);
    std::ofstream(files[0].quarantined, std::ios::trunc) << "<tampered/>";
    const auto outcomes = healer().recover(kHealerNow);
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_FALSE(outcomes[0].completed);
    EXPECT_FALSE(fs::exists(snapshot_)) << "a file with another hash never goes into the package";
    EXPECT_EQ(read(files[0].quarantined), "<tampered/>");
    EXPECT_TRUE(fs::exists(status_));
    EXPECT_NE(outcomes[0].detail.find("MISSING"), std::string::npos) << outcomes[0].detail;
    EXPECT_EQ(journal_.action("A6")->result, ActionResult::rolled_back);
}

TEST_F(RecoveryTest, AForgedInterruptedActionMovesNothingIntoThePackage) {
    fs::remove(snapshot_);
    const auto planted = tree_.write("outside/snapshot.xml", "<planted/>");
    const JournalFile file = snapshot_entry(snapshot_, planted);
    ASSERT_TRUE(journal_.append("F1", files_intent({file}), kHealerNow));
    healer().recover(kHealerNow);
    EXPECT_FALSE(fs::exists(snapshot_));
    EXPECT_EQ(read(planted), "<planted/>");
}

TEST_F(RecoveryTest, ACopyCutShortBesideTheOriginalIsRemoved) {
    auto files = write_intent("A7");
    move(files[0]);
    // A rollback's cross-volume copy back, cut short by a crash.
    std::ofstream(snapshot_.string() + ".partial") << "<snap";
    healer().recover(kHealerNow);
    EXPECT_TRUE(fs::exists(snapshot_));
    EXPECT_FALSE(fs::exists(snapshot_.string() + ".partial"));
}

TEST_F(RecoveryTest, FinishedActionsAreLeftAlone) {
    auto outcome = healer().heal(package_, "stale", kHealerNow);
    ASSERT_TRUE(outcome.done);
    EXPECT_TRUE(healer().recover(kHealerNow).empty());
    EXPECT_FALSE(fs::exists(snapshot_));
}

TEST(Journal, ATornLastLineIsSkippedADamagedMiddleLineIsAnError) {
    TempTree tree;
    const auto file = tree / "journal.jsonl";
    {
        Journal journal(file);
        ASSERT_TRUE(journal.append("A", IntentEvent{}, kHealerNow));
        ASSERT_TRUE(journal.append("A", OutcomeEvent{Outcome::files_done}, kHealerNow));
    }
    std::ofstream(file, std::ios::app) << "{\"action\": \"B\", \"ev";
    Journal torn(file);
    ASSERT_TRUE(torn.load());
    EXPECT_EQ(torn.records().size(), 2u);

    std::ofstream(file, std::ios::app) << "\n{\"action\": \"C\", \"event\": \"intent\"}\n";
    Journal damaged(file);
    auto loaded = damaged.load();
    ASSERT_FALSE(loaded);
    EXPECT_NE(loaded.error().message.find("line 3"), std::string::npos) << loaded.error().message;
}

TEST(Journal, ActionIdsAreUnique) {
    TempTree tree;
    Journal journal(tree / "journal.jsonl");
    const auto first = journal.next_action_id(kHealerId, kHealerNow);
    ASSERT_TRUE(journal.append(first, IntentEvent{}, kHealerNow));
    EXPECT_NE(journal.next_action_id(kHealerId, kHealerNow), first);
    EXPECT_EQ(first.rfind("20261126T120000Z-6c821f5e-", 0), 0u) << first;
}

// A journal entry (damaged, or forged by whoever could write the state folder) must never make
// restore move a file from anywhere but where psguard quarantined it.
class ForgedRestore : public HealerTest {
  protected:
    static constexpr const char* kForged = "20261126T120000Z-6c821f5e-9";

    // Journals a finished action whose snapshot supposedly sits at `quarantined`.
    void forge(const std::string& id, const fs::path& original, const fs::path& quarantined) {
        const JournalFile file = snapshot_entry(original, quarantined);
        ASSERT_TRUE(journal_.append(id, files_intent({file}), kHealerNow));
        ASSERT_TRUE(journal_.append(id, OutcomeEvent{Outcome::files_done}, kHealerNow));
    }
    fs::path quarantined(const std::string& id) const {
        return paths_.state_dir / "quarantine" / id / "delivery" / kFolder / "snapshot.xml";
    }
};

TEST_F(ForgedRestore, APathOutsideTheQuarantineIsRefused) {
    fs::remove(snapshot_);
    const auto planted = tree_.write("outside/snapshot.xml", "<planted/>");
    forge(kForged, snapshot_, planted);
    auto restored = healer().restore(kForged, {}, kHealerNow);
    ASSERT_FALSE(restored);
    EXPECT_NE(restored.error().message.find("not where psguard keeps"), std::string::npos)
        << restored.error().message;
    EXPECT_EQ(read(planted), "<planted/>");
    EXPECT_FALSE(fs::exists(snapshot_));
}

TEST_F(ForgedRestore, AnotherActionsQuarantinedFileIsRefused) {
    auto healed = healer().heal(package_, "stale", kHealerNow);
    ASSERT_TRUE(healed.done);
    forge(kForged, snapshot_, quarantined(healed.action_id));
    EXPECT_FALSE(healer().restore(kForged, {}, kHealerNow));
    EXPECT_TRUE(fs::exists(quarantined(healed.action_id)));
    EXPECT_FALSE(fs::exists(snapshot_));
}

TEST_F(ForgedRestore, ALinkInsideTheQuarantineIsRefused) {
    fs::remove(snapshot_);
    const auto planted = tree_.write(fs::path("outside") / kFolder / "snapshot.xml", "<planted/>");
    fs::create_directories(paths_.state_dir / "quarantine" / kForged);
    if (auto why = test::make_directory_link(
            tree_ / "outside", paths_.state_dir / "quarantine" / kForged / "delivery")) {
        GTEST_SKIP() << "cannot create a directory link here: " << *why;
    }
    forge(kForged, snapshot_, quarantined(kForged));  // the right path, through a link
    auto restored = healer().restore(kForged, {}, kHealerNow);
    ASSERT_FALSE(restored);
    EXPECT_NE(restored.error().message.find("link"), std::string::npos) << restored.error().message;
    EXPECT_EQ(read(planted), "<planted/>");
    EXPECT_FALSE(fs::exists(snapshot_));
}

TEST_F(ForgedRestore, ADestinationThatIsNotOneOfTheTwoFilesIsRefused) {
    const auto original = snapshot_.parent_path() / "evil.dll";
    const auto planted =
        paths_.state_dir / "quarantine" / kForged / "delivery" / kFolder / "evil.dll";
    fs::create_directories(planted.parent_path());
    std::ofstream(planted) << "MZ";
    forge(kForged, original, planted);
    EXPECT_FALSE(healer().restore(kForged, {}, kHealerNow));
    EXPECT_FALSE(fs::exists(original));
}

TEST_F(ForgedRestore, AFileThatIsNotTheJournaledOneMovesNothing) {
    auto healed = healer().heal(package_, "stale", kHealerNow);
    ASSERT_TRUE(healed.done);
    const auto action = journal_.action(healed.action_id);
    std::ofstream(action->files[1].quarantined, std::ios::trunc) << "<tampered/>";
    auto restored = healer().restore(healed.action_id, {}, kHealerNow);
    ASSERT_FALSE(restored);
    EXPECT_NE(restored.error().message.find("SHA-256"), std::string::npos)
        << restored.error().message;
    EXPECT_FALSE(fs::exists(snapshot_)) << "checked before anything moves";
    EXPECT_FALSE(fs::exists(status_));
}

TEST_F(HealerTest, PruningNeverLeavesTheQuarantineForAForgedActionId) {
    for (const char* id : {"..", "../.."}) {
        ASSERT_TRUE(journal_.append(id, files_intent({}), kHealerNow));
        ASSERT_TRUE(journal_.append(id, OutcomeEvent{Outcome::verified}, kHealerNow));
    }
    fs::create_directories(paths_.state_dir / "quarantine");
    healer().prune_quarantine(kHealerNow + std::chrono::hours(24 * 40));
    EXPECT_TRUE(fs::exists(journal_.file()));
    EXPECT_TRUE(fs::exists(snapshot_));
}

TEST_F(HealerTest, ANewActionNeverReusesTheQuarantineFolderOfAnEmptiedJournal) {
    const std::string snapshot_bytes = read(snapshot_);
    auto first = healer().heal(package_, "stale", kHealerNow);
    ASSERT_TRUE(first.done) << first.detail;
    // The agent rebuilt the files; an operator deleted the journal and its index.
    tree_.write(fs::path("Package Delivery") / kFolder / "snapshot.xml", "<rebuilt/>");
    tree_.write(fs::path("PackageStatus") / kFolder / "PackageStatus.xml", "<rebuilt/>");
    fs::remove(journal_.file());
    fs::remove(paths_.state_dir / "journal.index.json");
    Journal fresh(journal_.file());
    ASSERT_TRUE(fresh.load());
    auto second = Healer(paths_, config_, fresh).heal(package_, "stale", kHealerNow);
    EXPECT_NE(second.action_id, first.action_id);
    EXPECT_TRUE(second.done) << second.detail;
    EXPECT_EQ(read(paths_.state_dir / "quarantine" / first.action_id / "delivery" / kFolder /
                   "snapshot.xml"),
              snapshot_bytes)
        << "the first action's files are untouched";
}

TEST_F(HealerTest, PrunesOnlyFinishedActionsPastRetention) {
    auto outcome = healer().heal(package_, "stale", kHealerNow);
    ASSERT_TRUE(outcome.done);
    const auto folder = paths_.state_dir / "quarantine" / outcome.action_id;
    EXPECT_TRUE(healer().prune_quarantine(kHealerNow + std::chrono::hours(24 * 40)).empty())
        << "awaiting verification: kept";
    ASSERT_TRUE(journal_.append(outcome.action_id, OutcomeEvent{Outcome::verified}, kHealerNow));
    EXPECT_TRUE(healer().prune_quarantine(kHealerNow + std::chrono::hours(24 * 29)).empty());
    EXPECT_TRUE(fs::exists(folder));
    EXPECT_EQ(healer().prune_quarantine(kHealerNow + std::chrono::hours(24 * 31)).size(), 1u);
    EXPECT_FALSE(fs::exists(folder));
}

}  // namespace
}  // namespace psguard
