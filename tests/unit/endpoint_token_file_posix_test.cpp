// POSIX: a token file that group or others can read is refused, with the fix in the message.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "endpoint/token_file.hpp"
#include "unit/temp_tree.hpp"

namespace psguard {
namespace {

std::filesystem::path write_token(const test::TempTree& tree, mode_t mode) {
    const auto file = tree / "endpoint.token";
    std::ofstream(file) << "0123456789abcdef0123456789abcdef\n";
    ::chmod(file.c_str(), mode);
    return file;
}

TEST(TokenFilePosix, AcceptsOwnerOnlyModes) {
    test::TempTree tree;
    for (const mode_t mode : {0600, 0400}) {
        const auto file = write_token(tree, mode);
        const auto token = read_token_file(file);
        ASSERT_TRUE(token.ok()) << token.error().message;
        EXPECT_EQ(*token, "0123456789abcdef0123456789abcdef");
    }
}

TEST(TokenFilePosix, ReadsWhatCreateWrote) {
    test::TempTree tree;
    const auto token = create_token_file(tree / "endpoint.token");
    ASSERT_TRUE(token.ok()) << token.error().message;
    const auto read = read_token_file(tree / "endpoint.token");
    ASSERT_TRUE(read.ok()) << read.error().message;
    EXPECT_EQ(*read, *token);
}

TEST(TokenFilePosix, EnsureKeepsAnExistingTokenAndJudgesIt) {
    test::TempTree tree;
    const auto file = tree / "endpoint.token";
    const auto first = ensure_token_file(file);
    ASSERT_TRUE(first.ok()) << first.error().message;
    const auto again = ensure_token_file(file);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(*again, *first);
    ::chmod(file.c_str(), 0644);
    EXPECT_FALSE(ensure_token_file(file).ok());  // refused, not silently replaced
    EXPECT_EQ(::access(file.c_str(), F_OK), 0);
}

TEST(TokenFilePosix, RefusesGroupOrOtherBits) {
    test::TempTree tree;
    for (const mode_t mode : {0644, 0640, 0604, 0660, 0610, 0601}) {
        const auto file = write_token(tree, mode);
        const auto token = read_token_file(file);
        ASSERT_FALSE(token.ok()) << std::oct << mode;
        EXPECT_NE(token.error().message.find("chmod 600"), std::string::npos)
            << token.error().message;
    }
}

TEST(TokenFilePosix, RefusesAFolder) {
    test::TempTree tree;
    std::filesystem::create_directory(tree / "dir.token");
    ::chmod((tree / "dir.token").c_str(), 0700);
    EXPECT_FALSE(read_token_file(tree / "dir.token").ok());
}

TEST(TokenFilePosix, CreatesMode0600EvenOverAnOpenFile) {
    test::TempTree tree;
    const auto file = write_token(tree, 0644);
    const auto token = create_token_file(file);
    ASSERT_TRUE(token.ok()) << token.error().message;
    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    EXPECT_EQ(*read_token_file(file), *token);
}

TEST(TokenFilePosix, CreateFailsInAMissingFolder) {
    test::TempTree tree;
    const auto token = create_token_file(tree / "missing" / "endpoint.token");
    ASSERT_FALSE(token.ok());
    EXPECT_NE(token.error().message.find("missing"), std::string::npos);
}

}  // namespace
}  // namespace psguard
