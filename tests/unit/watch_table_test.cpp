// The directory watcher's table of watched folders (platform/watch_table): whole paths rebuilt
// from names under parents, a removed parent makes its children's paths unknown, descriptors in
// any order, and names kept right when the buffer of names is rebuilt after many removals.
#include "platform/watch_table.hpp"

#include <gtest/gtest.h>

#include <string>

namespace psguard {
namespace {

namespace fs = std::filesystem;

const fs::path kWatchTableRoot = fs::path("srv") / "Package Delivery";

fs::path::string_type native(const std::string& name) {
    return fs::path(name).native();
}

TEST(WatchTable, PathsAreRebuiltFromTheRootDown) {
    WatchTable table;
    table.add(1, WatchTable::kNoParent, 0, kWatchTableRoot.native());
    table.add(2, 1, 1, native("{A}"));
    table.add(3, 2, 2, native("cache"));
    EXPECT_EQ(table.folder_of(1), kWatchTableRoot);
    EXPECT_EQ(table.folder_of(3), kWatchTableRoot / "{A}" / "cache");
    EXPECT_EQ(table.depth_of(3), 2);
    EXPECT_TRUE(table.has_root(kWatchTableRoot));
    EXPECT_FALSE(table.has_root(kWatchTableRoot / "{A}")) << "a folder below a root is no root";
    EXPECT_FALSE(table.folder_of(4));
    EXPECT_FALSE(table.depth_of(4));
}

TEST(WatchTable, AFolderBelowARemovedOneHasNoKnownPath) {
    WatchTable table;
    table.add(1, WatchTable::kNoParent, 0, kWatchTableRoot.native());
    table.add(2, 1, 1, native("{A}"));
    table.add(3, 2, 2, native("cache"));
    table.remove(2);
    EXPECT_FALSE(table.contains(2));
    EXPECT_TRUE(table.contains(3));
    EXPECT_FALSE(table.folder_of(3)) << "its parent was moved or deleted: the path is unknown";
    table.remove(2);  // twice: nothing happens
    EXPECT_EQ(table.size(), 2u);
}

TEST(WatchTable, DescriptorsInAnyOrderAndAReusedOneReplacesTheOld) {
    WatchTable table;
    table.add(50, WatchTable::kNoParent, 0, kWatchTableRoot.native());
    table.add(7, 50, 1, native("{B}"));  // after the kernel's descriptors wrapped around
    table.add(90, 7, 2, native("cache"));
    EXPECT_EQ(table.folder_of(90), kWatchTableRoot / "{B}" / "cache");
    table.add(7, 50, 1, native("{C}"));
    EXPECT_EQ(table.size(), 3u);
    EXPECT_EQ(table.folder_of(90), kWatchTableRoot / "{C}" / "cache");
}

TEST(WatchTable, NamesStayRightAfterTheNameBufferIsRebuilt) {
    WatchTable table;
    table.add(1, WatchTable::kNoParent, 0, kWatchTableRoot.native());
    // 38-character package folder names, enough of them removed to rebuild the buffer.
    const auto name_of = [](int i) {
        std::string digits = std::to_string(i);
        return "{" + std::string(36 - digits.size(), '0') + digits + "}";
    };
    constexpr int kFolders = 6000;
    for (int wd = 2; wd < kFolders; ++wd) {
        table.add(wd, 1, 1, native(name_of(wd)));
    }
    for (int wd = 2; wd < kFolders; ++wd) {
        if (wd % 10 != 0) {
            table.remove(wd);
        }
    }
    EXPECT_EQ(table.size(), 1u + (kFolders - 1) / 10);
    for (int wd = 10; wd < kFolders; wd += 10) {
        ASSERT_EQ(table.folder_of(wd), kWatchTableRoot / name_of(wd)) << wd;
    }
    EXPECT_EQ(table.folder_of(1), kWatchTableRoot);
}

}  // namespace
}  // namespace psguard
