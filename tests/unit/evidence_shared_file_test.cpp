#include "evidence/shared_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "evidence_test_support.hpp"
#include "temp_tree.hpp"

namespace psguard {
namespace {

namespace fs = std::filesystem;
using test::TempTree;

std::string read_all(const SharedFile& file, std::uint64_t offset, std::size_t length) {
    std::string buffer(length, '\0');
    auto got = file.read_at(offset, buffer.data(), buffer.size());
    EXPECT_TRUE(got.ok()) << (got.ok() ? "" : got.error().message);
    buffer.resize(got.ok() ? got.value() : 0);
    return buffer;
}

TEST(SharedFile, ReadsAtOffsetsAndSeesGrowth) {
    TempTree tree;
    const auto path = tree.write("a.log", "0123456789");
    auto file = SharedFile::open(path);
    ASSERT_TRUE(file.ok()) << file.error().message;
    EXPECT_EQ(file->size().value(), 10u);
    EXPECT_EQ(read_all(*file, 3, 4), "3456");
    EXPECT_EQ(read_all(*file, 8, 10), "89");
    EXPECT_EQ(read_all(*file, 20, 4), "");
    test::append_file(path, "abc");  // the agent keeps writing while we hold it
    EXPECT_EQ(file->size().value(), 13u);
    EXPECT_EQ(read_all(*file, 10, 10), "abc");
    EXPECT_TRUE(file->identity().known());
}

// While psguard holds a log open the agent must still be able to rotate and delete it
// (Windows: FILE_SHARE_DELETE and FILE_SHARE_WRITE).
TEST(SharedFile, NeverBlocksTheWriter) {
    TempTree tree;
    const auto path = tree.write("agent.log", "old");
    auto file = SharedFile::open(path);
    ASSERT_TRUE(file.ok()) << file.error().message;
    const FileIdentity before = file->identity();
    test::append_file(path, " more");
    std::error_code ec;
    fs::rename(path, tree / "agent.log.1", ec);
    EXPECT_FALSE(ec) << "rename while open: " << ec.message();
    EXPECT_EQ(read_all(*file, 0, 100), "old more");

    // Identity follows the file through the rename.
    auto renamed = SharedFile::open(tree / "agent.log.1");
    ASSERT_TRUE(renamed.ok()) << renamed.error().message;
    EXPECT_EQ(renamed->identity(), before);
    tree.write("agent.log", "new");
    auto fresh = SharedFile::open(tree / "agent.log");
    ASSERT_TRUE(fresh.ok());
    EXPECT_NE(fresh->identity(), before);

    fs::remove(tree / "agent.log.1", ec);
    EXPECT_FALSE(ec) << "delete while open: " << ec.message();
}

TEST(SharedFile, RefusesLinksFoldersAndMissingFiles) {
    TempTree tree;
    const auto target = tree.write("target.log", "secret");
    tree.mkdir("folder.log");
    auto folder = SharedFile::open(tree / "folder.log");
    EXPECT_FALSE(folder.ok());
    auto missing = SharedFile::open(tree / "missing.log");
    EXPECT_FALSE(missing.ok());
    PSGUARD_LINK_OR_SKIP(test::make_file_symlink(target, tree / "link.log"));
    auto link = SharedFile::open(tree / "link.log");
    ASSERT_FALSE(link.ok());
    EXPECT_NE(link.error().message.find("not followed"), std::string::npos) << link.error().message;
}

}  // namespace
}  // namespace psguard
