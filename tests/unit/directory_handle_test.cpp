// The open-folder seam (platform/directory_handle.hpp) and the lookups relative to an open
// folder (probe_entry_at, read_file_nofollow_at): the same answers and messages as the
// whole-path functions, links never followed, and (POSIX) the folder that was opened is the one
// read, whatever happens to its path afterwards.
#include "platform/directory_handle.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "platform/file_links.hpp"
#include "temp_tree.hpp"

namespace psguard {
namespace {

namespace fs = std::filesystem;
using test::TempTree;

// The folder at `path`, which the test made a plain folder (nullopt, with a failure, if not).
std::optional<OpenDirectory> open_ok(const fs::path& path) {
    auto opened = open_directory(path);
    if (!opened.ok()) {
        ADD_FAILURE() << opened.error().message;
        return std::nullopt;
    }
    if (!opened.value() || !opened.value()->dir) {
        ADD_FAILURE() << path.string() << " did not open as a folder";
        return std::nullopt;
    }
    return std::move(opened.value()->dir);
}

std::optional<EntryInfo> probe_at_ok(const OpenDirectory& dir, const fs::path& name) {
    auto probed = probe_entry_at(dir, name);
    EXPECT_TRUE(probed.ok()) << (probed.ok() ? "" : probed.error().message);
    return probed.ok() ? probed.value() : std::nullopt;
}

std::vector<std::string> sorted_names(const OpenDirectory& dir) {
    auto listed = list_directory(dir);
    EXPECT_TRUE(listed.ok()) << (listed.ok() ? "" : listed.error().message);
    std::vector<std::string> names;
    if (listed.ok()) {
        for (const fs::path& name : listed.value()) {
            names.push_back(name.string());
        }
    }
    std::sort(names.begin(), names.end());
    return names;
}

// Real files and folders: the answers probe_entry and read_file_nofollow give by whole path.
TEST(OpenDirectory, ProbesReadsAndListsByName) {
    TempTree tree;
    tree.write("pkg/snapshot.xml", "<snapshot/>");
    tree.write("pkg/cache/bin/tool.dll", std::string(1000, 'p'));
    auto pkg_opened = open_ok(tree / "pkg");
    ASSERT_TRUE(pkg_opened);
    const OpenDirectory& pkg = *pkg_opened;
    EXPECT_EQ(pkg.path(), tree / "pkg");
    EXPECT_EQ(pkg.child_path("snapshot.xml"), tree / "pkg" / "snapshot.xml");

    const auto file = probe_at_ok(pkg, "snapshot.xml");
    ASSERT_TRUE(file);
    EXPECT_EQ(file->link, LinkKind::none);
    EXPECT_TRUE(file->is_regular_file);
    EXPECT_FALSE(file->is_directory);
    EXPECT_EQ(file->size, 11u);
    const auto folder = probe_at_ok(pkg, "cache");
    ASSERT_TRUE(folder);
    EXPECT_TRUE(folder->is_directory);
    EXPECT_EQ(folder->size, 0u);

    auto read = read_file_nofollow_at(pkg, "snapshot.xml", 100);
    ASSERT_TRUE(read.ok()) << read.error().message;
    EXPECT_EQ(read.value(), "<snapshot/>");
    EXPECT_EQ(sorted_names(pkg), (std::vector<std::string>{"cache", "snapshot.xml"}));
    // A fresh descriptor per listing: a second listing sees everything again.
    EXPECT_EQ(sorted_names(pkg), (std::vector<std::string>{"cache", "snapshot.xml"}));

    // Down the cache one folder at a time, as the scanner walks a snapshot's file.
    auto cache = open_directory_at(pkg, "cache");
    ASSERT_TRUE(cache.ok()) << cache.error().message;
    ASSERT_TRUE(cache.value() && cache.value()->dir);
    EXPECT_TRUE(cache.value()->info.is_directory);
    EXPECT_EQ(cache.value()->dir->path(), tree / "pkg" / "cache");
    auto bin = open_directory_at(*cache.value()->dir, "bin");
    ASSERT_TRUE(bin.ok()) << bin.error().message;
    ASSERT_TRUE(bin.value() && bin.value()->dir);
    const auto tool = probe_at_ok(*bin.value()->dir, "tool.dll");
    ASSERT_TRUE(tool);
    EXPECT_TRUE(tool->is_regular_file);
    EXPECT_EQ(tool->size, 1000u);
}

TEST(OpenDirectory, MovedHandlesKeepWorking) {
    TempTree tree;
    tree.write("a/x.txt", "x");
    tree.write("b/y.txt", "y");
    auto first = open_ok(tree / "a");
    auto other = open_ok(tree / "b");
    ASSERT_TRUE(first && other);
    OpenDirectory moved(std::move(*first));
    EXPECT_TRUE(probe_at_ok(moved, "x.txt"));
    *other = std::move(moved);  // releases b's, takes a's
    EXPECT_EQ(other->path(), tree / "a");
    EXPECT_TRUE(probe_at_ok(*other, "x.txt"));
    EXPECT_FALSE(probe_at_ok(*other, "y.txt"));
}

// Missing names are absent (nullopt), not errors, as probe_entry says; a read says why.
TEST(OpenDirectory, MissingNamesAreAbsent) {
    TempTree tree;
    tree.write("pkg/file.txt", "x");
    auto missing = open_directory(tree / "missing");
    ASSERT_TRUE(missing.ok()) << missing.error().message;
    EXPECT_FALSE(missing.value());
    auto under_file = open_directory(tree / "pkg" / "file.txt" / "child");
    ASSERT_TRUE(under_file.ok()) << under_file.error().message;
    EXPECT_FALSE(under_file.value());

    auto pkg_opened = open_ok(tree / "pkg");
    ASSERT_TRUE(pkg_opened);
    const OpenDirectory& pkg = *pkg_opened;
    EXPECT_FALSE(probe_at_ok(pkg, "missing"));
    auto child = open_directory_at(pkg, "missing");
    ASSERT_TRUE(child.ok()) << child.error().message;
    EXPECT_FALSE(child.value());
    auto read = read_file_nofollow_at(pkg, "missing", 100);
    ASSERT_FALSE(read.ok());
    auto whole = read_file_nofollow(tree / "pkg" / "missing", 100);
    ASSERT_FALSE(whole.ok());
    EXPECT_EQ(read.error().message, whole.error().message);
}

// A file asked for as a folder is described, not opened.
TEST(OpenDirectory, AFileIsDescribedNotOpened) {
    TempTree tree;
    tree.write("pkg/cache", "not a folder");
    auto pkg_opened = open_ok(tree / "pkg");
    ASSERT_TRUE(pkg_opened);
    const OpenDirectory& pkg = *pkg_opened;
    auto child = open_directory_at(pkg, "cache");
    ASSERT_TRUE(child.ok()) << child.error().message;
    ASSERT_TRUE(child.value());
    EXPECT_FALSE(child.value()->dir);
    EXPECT_TRUE(child.value()->info.is_regular_file);
    EXPECT_EQ(child.value()->info.size, 12u);
    auto whole = open_directory(tree / "pkg" / "cache");
    ASSERT_TRUE(whole.ok()) << whole.error().message;
    ASSERT_TRUE(whole.value());
    EXPECT_FALSE(whole.value()->dir);
    EXPECT_TRUE(whole.value()->info.is_regular_file);
}

// A link to a folder (symlink; junction on Windows) is described as a link and never opened,
// whether asked for by name inside its parent or by its whole path (trailing separator too).
TEST(OpenDirectory, ALinkedChildFolderIsNotFollowed) {
    TempTree tree;
    const auto target = tree.mkdir("elsewhere");
    tree.write("elsewhere/secret.txt", "secret");
    tree.mkdir("pkg");
    PSGUARD_LINK_OR_SKIP(test::make_directory_link(target, tree / "pkg" / "cache"));
    auto pkg_opened = open_ok(tree / "pkg");
    ASSERT_TRUE(pkg_opened);
    const OpenDirectory& pkg = *pkg_opened;

    auto child = open_directory_at(pkg, "cache");
    ASSERT_TRUE(child.ok()) << child.error().message;
    ASSERT_TRUE(child.value());
    EXPECT_NE(child.value()->info.link, LinkKind::none);
    EXPECT_FALSE(child.value()->info.is_directory);
    EXPECT_FALSE(child.value()->dir);

    const auto probed = probe_at_ok(pkg, "cache");
    ASSERT_TRUE(probed);
    EXPECT_EQ(probed->link, child.value()->info.link);

    for (const fs::path& whole_path :
         {tree / "pkg" / "cache", tree.root() / "pkg" / "cache" / ""}) {
        auto whole = open_directory(whole_path);
        ASSERT_TRUE(whole.ok()) << whole.error().message;
        ASSERT_TRUE(whole.value()) << whole_path.string();
        EXPECT_NE(whole.value()->info.link, LinkKind::none) << whole_path.string();
        EXPECT_FALSE(whole.value()->dir) << whole_path.string();
    }
}

// A file that turns into a symlink after the folder was opened: the link is seen, not followed.
TEST(OpenDirectory, AFileReplacedByASymlinkIsNotFollowed) {
    TempTree tree;
    tree.write("pkg/snapshot.xml", "<snapshot/>");
    const auto target = tree.write("elsewhere.xml", "<secret/>");
    auto pkg_opened = open_ok(tree / "pkg");
    ASSERT_TRUE(pkg_opened);
    const OpenDirectory& pkg = *pkg_opened;
    ASSERT_TRUE(probe_at_ok(pkg, "snapshot.xml"));

    fs::remove(tree / "pkg" / "snapshot.xml");
    PSGUARD_LINK_OR_SKIP(test::make_file_symlink(target, tree / "pkg" / "snapshot.xml"));
    const auto probed = probe_at_ok(pkg, "snapshot.xml");
    ASSERT_TRUE(probed);
    EXPECT_EQ(probed->link, LinkKind::symlink);
    EXPECT_FALSE(probed->is_regular_file);
    auto read = read_file_nofollow_at(pkg, "snapshot.xml", 100);
    ASSERT_FALSE(read.ok());
    EXPECT_NE(read.error().message.find("not followed"), std::string::npos) << read.error().message;
    auto whole = read_file_nofollow(tree / "pkg" / "snapshot.xml", 100);
    ASSERT_FALSE(whole.ok());
    EXPECT_EQ(read.error().message, whole.error().message);
}

// The cap, with read_file_nofollow's exact words.
TEST(OpenDirectory, ReadRefusesAFileOverTheCap) {
    TempTree tree;
    tree.write("pkg/big.xml", std::string(101, 'b'));
    tree.write("pkg/fits.xml", std::string(100, 'f'));
    auto pkg_opened = open_ok(tree / "pkg");
    ASSERT_TRUE(pkg_opened);
    const OpenDirectory& pkg = *pkg_opened;
    auto read = read_file_nofollow_at(pkg, "big.xml", 100);
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.error().message, over_cap_message(101, 100));
    EXPECT_EQ(read.error().message,
              read_file_nofollow(tree / "pkg" / "big.xml", 100).error().message);
    auto fits = read_file_nofollow_at(pkg, "fits.xml", 100);
    ASSERT_TRUE(fits.ok()) << fits.error().message;
    EXPECT_EQ(fits.value().size(), 100u);
    // A folder is not a file to read.
    tree.mkdir("pkg/cache");
    EXPECT_FALSE(read_file_nofollow_at(pkg, "cache", 100).ok());
}

// Only one name at a time: nothing outside the folder, nothing through a link on the way.
TEST(OpenDirectory, RefusesNamesThatAreNotOneComponent) {
    TempTree tree;
    tree.write("pkg/cache/file.txt", "x");
    tree.write("outside.txt", "x");
    auto pkg_opened = open_ok(tree / "pkg");
    ASSERT_TRUE(pkg_opened);
    const OpenDirectory& pkg = *pkg_opened;
    for (const fs::path& name : {fs::path(".."), fs::path("."), fs::path(""),
                                 fs::path("cache") / "file.txt", fs::path("..") / "outside.txt"}) {
        auto probed = probe_entry_at(pkg, name);
        ASSERT_FALSE(probed.ok()) << name.string();
        EXPECT_NE(probed.error().message.find("not a single file name"), std::string::npos)
            << probed.error().message;
        EXPECT_NE(probed.error().message.find((tree / "pkg").string()), std::string::npos)
            << probed.error().message;  // the whole path, as probe_entry's messages
        EXPECT_FALSE(open_directory_at(pkg, name).ok()) << name.string();
        EXPECT_FALSE(read_file_nofollow_at(pkg, name, 100).ok()) << name.string();
    }
}

// Removed after it was opened: nothing is found inside any more, and nothing else is read in
// its place (on POSIX the descriptor still names the removed folder; on Windows the path is
// looked up again and is gone). Either way: absent, a read fails, a listing holds nothing.
TEST(OpenDirectory, AFolderRemovedAfterItWasOpened) {
    TempTree tree;
    tree.write("pkg/snapshot.xml", "<snapshot/>");
    tree.mkdir("pkg/cache");
    auto pkg_opened = open_ok(tree / "pkg");
    ASSERT_TRUE(pkg_opened);
    const OpenDirectory& pkg = *pkg_opened;
    fs::remove_all(tree / "pkg");
    ASSERT_FALSE(fs::exists(tree / "pkg"));

    EXPECT_FALSE(probe_at_ok(pkg, "snapshot.xml"));
    auto child = open_directory_at(pkg, "cache");
    ASSERT_TRUE(child.ok()) << child.error().message;
    EXPECT_FALSE(child.value());
    EXPECT_FALSE(read_file_nofollow_at(pkg, "snapshot.xml", 100).ok());
    // Listing a removed folder: empty (Linux's getdents says ENOENT, which glibc's readdir
    // reports as the end), or an error (Windows: the path is gone); never the names it held.
    auto listed = list_directory(pkg);
    if (listed.ok()) {
        EXPECT_TRUE(listed.value().empty());
    } else {
        EXPECT_EQ(listed.error().message.rfind("cannot list " + (tree / "pkg").string() + ": ", 0),
                  0u)
            << listed.error().message;
    }

    // A new folder of the same name is a different folder: the old handle does not see it
    // (POSIX). Windows goes by the path and so sees the new one.
    tree.write("pkg/snapshot.xml", "<new/>");
#ifdef _WIN32
    EXPECT_TRUE(probe_at_ok(pkg, "snapshot.xml"));
#else
    EXPECT_FALSE(probe_at_ok(pkg, "snapshot.xml"));
#endif
}

// The window the handle closes: a folder checked, then renamed and replaced by a link to
// somewhere else before it is read. POSIX reads the folder that was checked; Windows keeps only
// the path (directory_handle.hpp) and is not tested for it.
TEST(OpenDirectory, AFolderSwappedForALinkAfterOpeningIsNotReadThrough) {
#ifdef _WIN32
    GTEST_SKIP() << "Windows holds no folder open: lookups go by the path, as before";
#else
    TempTree tree;
    tree.write("pkg/snapshot.xml", "<checked/>");
    const auto elsewhere = tree.mkdir("elsewhere");
    tree.write("elsewhere/snapshot.xml", "<planted/>");
    auto pkg_opened = open_ok(tree / "pkg");
    ASSERT_TRUE(pkg_opened);
    const OpenDirectory& pkg = *pkg_opened;

    fs::rename(tree / "pkg", tree / "pkg.moved");
    PSGUARD_LINK_OR_SKIP(test::make_directory_link(elsewhere, tree / "pkg"));
    auto read = read_file_nofollow_at(pkg, "snapshot.xml", 100);
    ASSERT_TRUE(read.ok()) << read.error().message;
    EXPECT_EQ(read.value(), "<checked/>");
    EXPECT_EQ(sorted_names(pkg), (std::vector<std::string>{"snapshot.xml"}));
    // Messages still name the path it was opened by.
    EXPECT_EQ(pkg.child_path("snapshot.xml"), tree / "pkg" / "snapshot.xml");
#endif
}

// A folder psguard may search but not read (POSIX execute without read permission): what is
// inside is still looked up by name, as the whole-path lookups could, and listing it fails with
// the words listing it by path used ("cannot list <path>: Permission denied").
TEST(OpenDirectory, ASearchOnlyFolderIsWalkedButNotListed) {
    TempTree tree;
    tree.write("pkg/cache/sub/tool.dll", "1234");
    const fs::path sub = tree / "pkg" / "cache" / "sub";
    fs::permissions(sub, fs::perms::owner_exec);
    std::error_code ec;
    fs::directory_iterator by_path(sub, ec);
    if (!ec) {
        fs::permissions(sub, fs::perms::owner_all);
        GTEST_SKIP() << "permissions do not stop this process (root, or Windows ACL semantics)";
    }
    const std::string path_error = "cannot list " + sub.string() + ": " + ec.message();

    auto cache = open_ok(tree / "pkg" / "cache");
    ASSERT_TRUE(cache);
    auto opened = open_directory_at(*cache, "sub");
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    ASSERT_TRUE(opened.value() && opened.value()->dir);
    const auto tool = probe_at_ok(*opened.value()->dir, "tool.dll");
    EXPECT_TRUE(tool && tool->is_regular_file && tool->size == 4u);
    auto listed = list_directory(*opened.value()->dir);
    const auto whole = open_directory(sub);
    fs::permissions(sub, fs::perms::owner_all);
    ASSERT_FALSE(listed.ok());
    EXPECT_EQ(listed.error().message, path_error);
    ASSERT_TRUE(whole.ok()) << whole.error().message;
    EXPECT_TRUE(whole.value() && whole.value()->dir);
}

}  // namespace
}  // namespace psguard
