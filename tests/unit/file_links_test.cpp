#include "platform/file_links.hpp"
#include "core/utf8_path.hpp"
#include "platform/reparse_data.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "temp_tree.hpp"

namespace psguard {
namespace {

namespace fs = std::filesystem;
using test::TempTree;

EntryInfo inspect_ok(const fs::path& path) {
    auto info = inspect_entry(path);
    EXPECT_TRUE(info.ok()) << (info.ok() ? "" : info.error().message);
    return info.ok() ? info.value() : EntryInfo{};
}

TEST(InspectEntry, RegularFile) {
    TempTree tree;
    const auto info = inspect_ok(tree.write("a.txt", "12345"));
    EXPECT_EQ(info.link, LinkKind::none);
    EXPECT_TRUE(info.is_regular_file);
    EXPECT_FALSE(info.is_directory);
    EXPECT_EQ(info.size, 5u);
}

TEST(InspectEntry, Directory) {
    TempTree tree;
    const auto info = inspect_ok(tree.mkdir("dir"));
    EXPECT_EQ(info.link, LinkKind::none);
    EXPECT_TRUE(info.is_directory);
    EXPECT_FALSE(info.is_regular_file);
    EXPECT_EQ(info.size, 0u);
    // A trailing separator names the same folder.
    EXPECT_TRUE(inspect_ok(tree.root() / "dir" / "").is_directory);
}

TEST(InspectEntry, MissingIsAnErrorButProbeSaysAbsent) {
    TempTree tree;
    EXPECT_FALSE(inspect_entry(tree / "missing").ok());
    auto probed = probe_entry(tree / "missing");
    ASSERT_TRUE(probed.ok()) << probed.error().message;
    EXPECT_FALSE(probed.value());
    auto deeper = probe_entry(tree / "missing" / "deeper" / "file.txt");
    ASSERT_TRUE(deeper.ok()) << deeper.error().message;
    EXPECT_FALSE(deeper.value());
}

TEST(InspectEntry, ProbeUnderAFileIsAbsent) {
    TempTree tree;
    tree.write("file.txt", "x");
    auto probed = probe_entry(tree / "file.txt" / "child");
    ASSERT_TRUE(probed.ok()) << probed.error().message;
    EXPECT_FALSE(probed.value());
}

TEST(InspectEntry, DirectoryLinkIsNotFollowed) {
    TempTree tree;
    const auto target = tree.mkdir("target");
    tree.write("target/inside.txt", "x");
    PSGUARD_LINK_OR_SKIP(test::make_directory_link(target, tree / "link"));
    const auto info = inspect_ok(tree / "link");
#ifdef _WIN32
    EXPECT_EQ(info.link, LinkKind::junction);
#else
    EXPECT_EQ(info.link, LinkKind::symlink);
#endif
    EXPECT_FALSE(info.is_directory);
    EXPECT_FALSE(info.is_regular_file);
}

TEST(InspectEntry, TrailingSeparatorDoesNotFollowALink) {
    TempTree tree;
    const auto target = tree.mkdir("target");
    PSGUARD_LINK_OR_SKIP(test::make_directory_link(target, tree / "link"));
    EXPECT_NE(inspect_ok(tree.root() / "link" / "").link, LinkKind::none);
    auto resolved = link_target(tree.root() / "link" / "");
    ASSERT_TRUE(resolved.ok()) << resolved.error().message;
    EXPECT_EQ(resolved.value(), target.lexically_normal());
}

TEST(InspectEntry, DirectorySymlink) {
    TempTree tree;
    const auto target = tree.mkdir("target");
    PSGUARD_LINK_OR_SKIP(test::make_directory_symlink(target, tree / "link"));
    EXPECT_EQ(inspect_ok(tree / "link").link, LinkKind::symlink);
}

TEST(InspectEntry, FileSymlinkAndDanglingSymlink) {
    TempTree tree;
    const auto target = tree.write("target.txt", "1234");
    PSGUARD_LINK_OR_SKIP(test::make_file_symlink(target, tree / "link.txt"));
    const auto info = inspect_ok(tree / "link.txt");
    EXPECT_EQ(info.link, LinkKind::symlink);
    EXPECT_FALSE(info.is_regular_file);
    EXPECT_EQ(info.size, 0u);

    fs::remove(target);
    auto dangling = probe_entry(tree / "link.txt");
    ASSERT_TRUE(dangling.ok());
    ASSERT_TRUE(dangling.value());
    EXPECT_EQ(dangling.value()->link, LinkKind::symlink);
}

TEST(LinkTarget, AbsoluteTarget) {
    TempTree tree;
    const auto target = tree.mkdir("store/pkg");
    PSGUARD_LINK_OR_SKIP(test::make_directory_link(target, tree / "link"));
    auto resolved = link_target(tree / "link");
    ASSERT_TRUE(resolved.ok()) << resolved.error().message;
    EXPECT_EQ(resolved.value(), target.lexically_normal());
    EXPECT_TRUE(resolved.value().is_absolute());
}

TEST(LinkTarget, RelativeTargetIsResolvedAgainstTheLinksFolder) {
    TempTree tree;
    tree.mkdir("a/b");
    tree.mkdir("store/pkg");
    PSGUARD_LINK_OR_SKIP(test::make_directory_symlink(fs::path("..") / ".." / "store" / "pkg",
                                                      tree / "a" / "b" / "link"));
    auto resolved = link_target(tree / "a" / "b" / "link");
    ASSERT_TRUE(resolved.ok()) << resolved.error().message;
    EXPECT_EQ(resolved.value(), (tree / "store" / "pkg").lexically_normal());
}

TEST(LinkTarget, DanglingTargetIsStillReported) {
    TempTree tree;
    PSGUARD_LINK_OR_SKIP(test::make_file_symlink(tree / "nowhere" / "x.txt", tree / "link.txt"));
    auto resolved = link_target(tree / "link.txt");
    ASSERT_TRUE(resolved.ok()) << resolved.error().message;
    EXPECT_EQ(resolved.value(), (tree / "nowhere" / "x.txt").lexically_normal());
}

TEST(LinkTarget, NotALinkIsAnError) {
    TempTree tree;
    EXPECT_FALSE(link_target(tree.write("plain.txt", "x")).ok());
    EXPECT_FALSE(link_target(tree.mkdir("plain")).ok());
    EXPECT_FALSE(link_target(tree / "missing").ok());
}

TEST(ReadFileNoFollow, ReadsRegularFilesOnly) {
    TempTree tree;
    auto read = read_file_nofollow(tree.write("a.txt", std::string("a\0b", 3)), 10);
    ASSERT_TRUE(read.ok()) << read.error().message;
    EXPECT_EQ(read.value(), std::string("a\0b", 3));
    EXPECT_FALSE(read_file_nofollow(tree.mkdir("dir"), 10).ok());
    EXPECT_FALSE(read_file_nofollow(tree / "missing", 10).ok());
}

TEST(ReadFileNoFollow, RefusesLinks) {
    TempTree tree;
    const auto target = tree.write("target.txt", "secret");
    PSGUARD_LINK_OR_SKIP(test::make_file_symlink(target, tree / "link.txt"));
    auto read = read_file_nofollow(tree / "link.txt", 100);
    ASSERT_FALSE(read.ok());
    EXPECT_NE(read.error().message.find("not followed"), std::string::npos) << read.error().message;
}

TEST(SameFileName, FollowsThePlatformsCaseRules) {
    EXPECT_TRUE(same_file_name("cache", "cache"));
    EXPECT_FALSE(same_file_name("cache", "cache2"));
#ifdef _WIN32
    EXPECT_TRUE(same_file_name("Cache", "cACHE"));
    EXPECT_TRUE(same_file_name("C:", "c:"));
#else
    EXPECT_FALSE(same_file_name("Cache", "cACHE"));
#endif
}

TEST(DisplayPath, IsUtf8) {
    const fs::path path(u8"caf\u00e9");
    EXPECT_EQ(path_to_utf8(path), "caf\xC3\xA9");
    EXPECT_EQ(path_to_utf8(fs::path()), "");
}

TEST(LinkKindNames, ForMessages) {
    EXPECT_STREQ(to_string(LinkKind::symlink), "symlink");
    EXPECT_STREQ(to_string(LinkKind::junction), "junction");
    EXPECT_STREQ(to_string(LinkKind::other_reparse_point), "reparse point");
    EXPECT_STREQ(to_string(LinkKind::none), "");
}

// --- REPARSE_DATA_BUFFER parsing (the Windows link code; Wine cannot create links) -----------

void put_le(std::vector<unsigned char>& out, std::uint32_t value, std::size_t bytes) {
    for (std::size_t i = 0; i < bytes; ++i) {
        out.push_back(static_cast<unsigned char>((value >> (8 * i)) & 0xFF));
    }
}

// As the kernel lays it out: substitute name first, then the print name, each NUL-terminated.
std::vector<unsigned char> reparse_buffer(std::uint32_t tag, const std::u16string& substitute,
                                          const std::u16string& print, std::uint32_t flags = 0) {
    const bool symlink = tag == kReparseTagSymlink;
    const auto substitute_bytes = static_cast<std::uint32_t>(substitute.size() * 2);
    const auto print_bytes = static_cast<std::uint32_t>(print.size() * 2);
    const std::uint32_t names = substitute_bytes + 2 + print_bytes + 2;
    std::vector<unsigned char> out;
    put_le(out, tag, 4);
    put_le(out, 8 + (symlink ? 4 : 0) + names, 2);
    put_le(out, 0, 2);
    put_le(out, 0, 2);
    put_le(out, substitute_bytes, 2);
    put_le(out, substitute_bytes + 2, 2);
    put_le(out, print_bytes, 2);
    if (symlink) {
        put_le(out, flags, 4);
    }
    for (const char16_t c : substitute + u'\0' + print + u'\0') {
        put_le(out, c, 2);
    }
    return out;
}

TEST(ReparseData, Junction) {
    const auto buffer = reparse_buffer(kReparseTagMountPoint, u"\\??\\D:\\PackageStore\\{a}",
                                       u"D:\\PackageStore\\{a}");
    auto parsed = parse_reparse_data(buffer.data(), buffer.size());
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_TRUE(parsed->junction);
    EXPECT_FALSE(parsed->relative);
    EXPECT_EQ(parsed->target, u"D:\\PackageStore\\{a}");
}

TEST(ReparseData, AbsoluteAndRelativeSymlinks) {
    const auto absolute =
        reparse_buffer(kReparseTagSymlink, u"\\??\\UNC\\server\\share\\x", u"\\\\server\\share\\x");
    auto parsed = parse_reparse_data(absolute.data(), absolute.size());
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_FALSE(parsed->junction);
    EXPECT_FALSE(parsed->relative);
    EXPECT_EQ(parsed->target, u"\\\\server\\share\\x");

    const auto relative =
        reparse_buffer(kReparseTagSymlink, u"..\\store\\{a}", u"..\\store\\{a}", 1);
    parsed = parse_reparse_data(relative.data(), relative.size());
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_TRUE(parsed->relative);
    EXPECT_EQ(parsed->target, u"..\\store\\{a}");
}

TEST(ReparseData, PrintNameWhenNoSubstituteName) {
    const auto buffer = reparse_buffer(kReparseTagMountPoint, u"", u"E:\\x");
    auto parsed = parse_reparse_data(buffer.data(), buffer.size());
    ASSERT_TRUE(parsed.ok()) << parsed.error().message;
    EXPECT_EQ(parsed->target, u"E:\\x");
}

TEST(ReparseData, OtherTagsAndBadDataAreErrors) {
    auto dedup = reparse_buffer(0x80000013u, u"x", u"x");  // IO_REPARSE_TAG_DEDUP
    auto parsed = parse_reparse_data(dedup.data(), dedup.size());
    ASSERT_FALSE(parsed.ok());
    EXPECT_NE(parsed.error().message.find("0x80000013"), std::string::npos)
        << parsed.error().message;

    auto junction = reparse_buffer(kReparseTagMountPoint, u"\\??\\C:\\x", u"C:\\x");
    for (const std::size_t size :
         {std::size_t{0}, std::size_t{7}, std::size_t{12}, std::size_t{16}, std::size_t{20}}) {
        EXPECT_FALSE(parse_reparse_data(junction.data(), size).ok()) << size;
    }
    junction[10] = 0xFF;  // substitute name length far past the buffer
    junction[11] = 0x7F;
    junction[14] = 0;  // and no print name
    EXPECT_FALSE(parse_reparse_data(junction.data(), junction.size()).ok());
}

}  // namespace
}  // namespace psguard
