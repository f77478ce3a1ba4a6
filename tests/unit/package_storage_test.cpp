// Where a package's files live, decided from what the agent records: snapshot.xml, and (when a
// caller has it) the agent's own package list with its IsCustomLocation flag.
#include "local/package_storage.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace psguard {
namespace {

namespace fs = std::filesystem;

const fs::path kPackage = fs::temp_directory_path() / "Package Delivery" / "{6d417916-0000}";
const fs::path kElsewhere = fs::temp_directory_path() / "Store" / "pkg";

StoragePlan plan(const std::vector<RecordedStorage>& records) {
    return plan_package_storage(kPackage, records);
}

TEST(PackageStorage, DefaultIsTheCacheFolder) {
    const StoragePlan none = plan({});
    EXPECT_EQ(none.kind, StorageKind::cache);
    EXPECT_EQ(none.files_dir, kPackage / "cache");
    // Not custom, or the default recorded explicitly (any spelling of it), or a relative path.
    EXPECT_EQ(plan({{"snapshot.xml", false, std::nullopt}}).kind, StorageKind::cache);
    EXPECT_EQ(plan({{"snapshot.xml", true, (kPackage / "cache" / ".").string()}}).kind,
              StorageKind::cache);
    EXPECT_EQ(plan({{"snapshot.xml", true, kPackage.string()}}).kind, StorageKind::cache);
    EXPECT_EQ(plan({{"snapshot.xml", std::nullopt, "cache"}}).kind, StorageKind::cache);
}

TEST(PackageStorage, ARecordedFolderElsewhereIsRelocated) {
    const StoragePlan relocated = plan({{"snapshot.xml", std::nullopt, kElsewhere.string()}});
    EXPECT_EQ(relocated.kind, StorageKind::relocated);
    EXPECT_EQ(relocated.files_dir, kElsewhere);
    EXPECT_EQ(relocated.source, "snapshot.xml");
}

TEST(PackageStorage, TheAgentsPackageListCanSayWhatTheSnapshotDoesNot) {
    // snapshot.xml says nothing; the agent's list (COM: IsCustomLocation) flags it.
    const std::vector<RecordedStorage> flagged = {{"snapshot.xml", std::nullopt, std::nullopt},
                                                  {"the agent's package list", true, std::nullopt}};
    const StoragePlan unknown = plan(flagged);
    EXPECT_EQ(unknown.kind, StorageKind::unknown);
    EXPECT_EQ(unknown.source, "the agent's package list");
    // A location in any record wins over a bare flag.
    const std::vector<RecordedStorage> located = {
        {"snapshot.xml", true, std::nullopt},
        {"the agent's package list", true, kElsewhere.string()}};
    EXPECT_EQ(plan(located).kind, StorageKind::relocated);
    EXPECT_EQ(plan(located).source, "the agent's package list");
}

}  // namespace
}  // namespace psguard
