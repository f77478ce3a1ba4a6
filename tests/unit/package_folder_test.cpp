// A package's folder kept as its spelling under the scanned root, or whole when it is anywhere
// else: whichever form is kept, the path given back is the folder the scan found.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "local/local_state.hpp"

namespace psguard {
namespace {

namespace fs = std::filesystem;

const std::string kFolderId = "{6d417916-1234-4abc-9def-0123456789ab}";

TEST(PackageFolder, EverySpellingComesBackAsFound) {
    const fs::path root = fs::path("/srv") / "Package Delivery";
    for (const fs::path& folder :
         {root / "{6d417916-1234-4abc-9def-0123456789ab}",
          root / "{6D417916-1234-4ABC-9DEF-0123456789AB}",
          root / "{6D417916-1234-4abc-9def-0123456789ab}",
          fs::path("/storage/moved/{6d417916-1234-4abc-9def-0123456789ab}"),
          root / "sub" / "{6d417916-1234-4abc-9def-0123456789ab}"}) {
        const PackageFolder kept = PackageFolder::found(root, kFolderId, folder);
        EXPECT_FALSE(kept.empty()) << folder;
        EXPECT_EQ(kept.path(root, kFolderId).native(), folder.native());
    }
}

TEST(PackageFolder, AbsentIsEmptyAndHasNoPath) {
    const PackageFolder absent;
    EXPECT_TRUE(absent.empty());
    EXPECT_TRUE(absent.path("/srv", kFolderId).empty());
    EXPECT_TRUE(PackageFolder::at({}).empty());
    const PackageFolder elsewhere = PackageFolder::at("/x/y");
    EXPECT_FALSE(elsewhere.empty());
    EXPECT_EQ(elsewhere.path("/srv", kFolderId), fs::path("/x/y"));
}

// What the scan keeps is found again through the scan's roots.
TEST(PackageFolder, TheScanGivesEachPackageItsFolders) {
    LocalScan scan;
    scan.delivery_root = "/pd";
    scan.status_root = "/ps";
    LocalPackage package;
    package.delivery_folder = PackageFolder::found(scan.delivery_root, kFolderId,
                                                   "/pd/{6D417916-1234-4ABC-9DEF-0123456789AB}");
    EXPECT_EQ(scan.delivery_dir(kFolderId, package),
              fs::path("/pd/{6D417916-1234-4ABC-9DEF-0123456789AB}"));
    EXPECT_TRUE(scan.status_dir(kFolderId, package).empty());
}

}  // namespace
}  // namespace psguard
