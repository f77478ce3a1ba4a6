#include "local/scan_cache.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "local/tree_scanner.hpp"
#include "temp_tree.hpp"

namespace psguard {
namespace {

namespace fs = std::filesystem;
using test::TempTree;

constexpr const char* kA = "{6d417916-1234-4abc-9def-0123456789a1}";
constexpr const char* kB = "{6d417916-1234-4abc-9def-0123456789a2}";
constexpr const char* kC = "{6d417916-1234-4abc-9def-0123456789a3}";

std::string cached_status_xml(const std::string& status, const std::string& version) {
    return "<PackageStatus status=\"" + status + "\" version=\"" + version + "\"/>";
}

class ScanCacheTest : public ::testing::Test {
  protected:
    void SetUp() override {
        paths.package_delivery = tree.mkdir("Package Delivery");
        paths.package_status = tree.mkdir("PackageStatus");
        for (const char* id : {kA, kB, kC}) {
            add(id, "Ready", "1");
        }
    }

    void add(const std::string& id, const std::string& status, const std::string& version) {
        tree.write(fs::path("Package Delivery") / id / "snapshot.xml",
                   "<snapshot version=\"" + version + "\"/>");
        tree.write(fs::path("PackageStatus") / id / "PackageStatus.xml",
                   cached_status_xml(status, version));
    }

    std::string status_of(const LocalScan& scan, const std::string& id) {
        const auto it = scan.packages.find(id);
        return it == scan.packages.end() ? "<absent>" : it->second.status().value_or("<none>");
    }

    TempTree tree;
    PathsConfig paths;
    ParseConfig parse;
    ScanCache cache;
};

TEST_F(ScanCacheTest, RefreshRereadsTheNamedPackageAndReusesTheOthers) {
    cache.full(paths, parse);
    // Both change on disk; only A is named, so B keeps what the last scan saw.
    add(kA, "Invalid", "2");
    add(kB, "Invalid", "2");
    const LocalScan& scan = cache.refresh(paths, parse, {kA});
    EXPECT_FALSE(cache.last_was_full());
    EXPECT_EQ(status_of(scan, kA), "Invalid");
    EXPECT_EQ(status_of(scan, kB), "Ready");
    EXPECT_EQ(status_of(scan, kC), "Ready");
    // A full scan sees both, and the refreshed state equals it for A.
    EXPECT_EQ(status_of(cache.full(paths, parse), kB), "Invalid");
}

TEST_F(ScanCacheTest, ARemovedOrNewPackageIsSeenByTheRefresh) {
    cache.full(paths, parse);
    fs::remove_all(paths.package_delivery / kB);
    fs::remove_all(paths.package_status / kB);
    const std::string kNew = "{6d417916-1234-4abc-9def-0123456789a4}";
    add(kNew, "Ready", "7");
    const LocalScan& scan = cache.refresh(paths, parse, {kB, kNew});
    EXPECT_EQ(scan.packages.count(kB), 0u);
    EXPECT_EQ(status_of(scan, kNew), "Ready");
    EXPECT_EQ(scan.packages.size(), 3u);
}

// The roots are not listed again: a new folder is found under the spellings the agent and
// psguard use, or under the name the watcher reported.
TEST_F(ScanCacheTest, ANewFolderIsFoundByItsUsualSpellingsOrTheWatchersName) {
    cache.full(paths, parse);
    const std::string upper = "{6D417916-1234-4ABC-9DEF-0123456789A5}";
    const std::string id = "{6d417916-1234-4abc-9def-0123456789a5}";
    add(upper, "Ready", "5");
    EXPECT_EQ(status_of(cache.refresh(paths, parse, {id}), id), "Ready");

    const std::string mixed = "{6d417916-1234-4ABC-9def-0123456789a6}";
    const std::string mixed_id = "{6d417916-1234-4abc-9def-0123456789a6}";
    add(mixed, "Ready", "6");
    EXPECT_EQ(status_of(cache.refresh(paths, parse, {mixed_id}, {fs::path(mixed)}), mixed_id),
              "Ready");
    // Once seen, the spelling is remembered for later changes.
    add(mixed, "Invalid", "7");
    EXPECT_EQ(status_of(cache.refresh(paths, parse, {mixed_id}), mixed_id), "Invalid");
    EXPECT_FALSE(cache.last_was_full());

#ifndef _WIN32  // case variants are one folder on Windows' case-insensitive file systems
    // A second spelling of one package (a duplicate) is reported as a full scan would.
    add("{6D417916-1234-4abc-9def-0123456789A6}", "Ready", "6");
    const LocalScan& scan = cache.refresh(paths, parse, {mixed_id},
                                          {fs::path("{6D417916-1234-4abc-9def-0123456789A6}")});
    EXPECT_TRUE(scan.packages.at(mixed_id).unreadable_reason.has_value());
    const LocalScan full = scan_local_state(paths, parse);
    EXPECT_EQ(full.packages.at(mixed_id).unreadable_reason,
              scan.packages.at(mixed_id).unreadable_reason);
#endif
}

TEST_F(ScanCacheTest, FindingsOfARescannedPackageAreReplacedOthersKept) {
    // A file named like a package (an unexpected entry) and a non-GUID folder.
    fs::remove_all(paths.package_status / kC);
    tree.write(fs::path("PackageStatus") / kC, "not a folder");
    tree.mkdir("Package Delivery/not-a-package");
    cache.full(paths, parse);
    ASSERT_EQ(cache.current().findings.size(), 2u);

    fs::remove(paths.package_status / kC);
    add(kC, "Ready", "1");
    const LocalScan& scan = cache.refresh(paths, parse, {kC});
    ASSERT_EQ(scan.findings.size(), 1u);  // the GUID-named file is gone, the other stays
    EXPECT_EQ(scan.findings[0].path, paths.package_delivery / "not-a-package");
    EXPECT_EQ(status_of(scan, kC), "Ready");
}

TEST_F(ScanCacheTest, TheFirstRefreshAndChangedSettingsScanEverything) {
    cache.refresh(paths, parse, {kA});
    EXPECT_TRUE(cache.last_was_full());
    EXPECT_EQ(cache.current().packages.size(), 3u);

    ParseConfig other = parse;
    other.max_file_bytes = 10;  // every file is now too big: nothing may be reused
    const LocalScan& scan = cache.refresh(paths, other, {kA});
    EXPECT_TRUE(cache.last_was_full());
    EXPECT_TRUE(scan.packages.at(kB).unreadable_reason.has_value());
}

TEST_F(ScanCacheTest, ARootProblemForcesAFullScanUntilItIsGone) {
    cache.full(paths, parse);
    fs::remove_all(paths.package_status);
    cache.refresh(paths, parse, {kA});
    EXPECT_TRUE(cache.last_was_full());
    EXPECT_EQ(status_of(cache.current(), kB), "<none>");  // its PackageStatus is gone too

    fs::create_directories(paths.package_status);
    add(kB, "Ready", "3");
    const LocalScan& scan = cache.refresh(paths, parse, {kA});
    EXPECT_TRUE(cache.last_was_full());  // the last scan had a root problem: nothing reused
    EXPECT_EQ(scan.packages.at(kB).version(), "3");
    cache.refresh(paths, parse, {kA});
    EXPECT_FALSE(cache.last_was_full());
}

TEST(PackageOfChange, NamesThePackageFolderAChangeBelongsTo) {
    PathsConfig paths;
    paths.package_delivery = fs::path("/ps/Package Delivery");
    paths.package_status = fs::path("/ps/PackageStatus");
    const std::string upper = "{6D417916-1234-4ABC-9DEF-0123456789A1}";
    const auto in_snapshot =
        package_of_change(paths, paths.package_delivery / upper / "snapshot.xml");
    ASSERT_TRUE(in_snapshot);
    EXPECT_EQ(in_snapshot->id, kA);
    EXPECT_EQ(in_snapshot->folder_name, fs::path(upper));
    EXPECT_EQ(package_of_change(paths, paths.package_status / upper)->id, kA);
    EXPECT_EQ(package_of_change(paths, paths.package_delivery / upper / "cache" / "a.msi")->id, kA);
    EXPECT_FALSE(package_of_change(paths, paths.package_delivery));
    EXPECT_FALSE(package_of_change(paths, paths.package_delivery / "notes.txt"));
    EXPECT_FALSE(package_of_change(paths, fs::path("/elsewhere") / upper));
}

}  // namespace
}  // namespace psguard
