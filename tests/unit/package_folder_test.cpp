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

// The agent's two spellings directly under the root keep no path, whether or not the root is
// written with a trailing separator; any other folder is kept whole.
TEST(PackageFolder, OnlyTheAgentsTwoSpellingsUnderTheRootAreKeptAsSpellings) {
    for (const fs::path& root : {fs::path("/srv/pd"), fs::path("/srv/pd/")}) {
        for (const fs::path& name : usual_folder_names(kFolderId)) {
            const PackageFolder kept = PackageFolder::found(root, kFolderId, root / name);
            EXPECT_TRUE(kept.kept_as_spelling()) << root / name;
            EXPECT_EQ(kept.path(root, kFolderId), root / name);
        }
        for (const fs::path& other :
             {root / "{6D417916-1234-4abc-9def-0123456789ab}", root / "sub" / kFolderId,
              fs::path("/srv/pdx") / kFolderId, fs::path("/srv") / kFolderId}) {
            EXPECT_FALSE(PackageFolder::found(root, kFolderId, other).kept_as_spelling()) << other;
        }
    }
    EXPECT_EQ(usual_folder_names(kFolderId)[1], fs::path("{6D417916-1234-4ABC-9DEF-0123456789AB}"));
    for (const fs::path& name : usual_folder_names(kFolderId)) {
        EXPECT_TRUE(is_usual_folder_name(name, kFolderId)) << name;
    }
    for (const fs::path& other :
         {fs::path("{6D417916-1234-4abc-9def-0123456789ab}"),
          fs::path("6d417916-1234-4abc-9def-0123456789ab"), fs::path(kFolderId) / "cache"}) {
        EXPECT_FALSE(is_usual_folder_name(other, kFolderId)) << other;
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
