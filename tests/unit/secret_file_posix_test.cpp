// POSIX: the NS password file is refused, as the endpoint's token file is, when others than its
// owner may read it or when its owner is neither root nor psguard's own user; the refusal says
// how to fix it and never shows the password.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "platform/secret_file.hpp"
#include "unit/temp_tree.hpp"

namespace psguard {
namespace {

std::filesystem::path write_password(const test::TempTree& tree, mode_t mode) {
    const auto file = tree / "ns-password";
    std::ofstream(file, std::ios::trunc) << "Hunter2-secret\n";
    ::chmod(file.c_str(), mode);
    return file;
}

TEST(SecretFilePosix, ReadsAnOwnerOnlyFile) {
    test::TempTree tree;
    for (const mode_t mode : {0600, 0400}) {
        const auto password = read_secret_file(write_password(tree, mode));
        ASSERT_TRUE(password.ok()) << password.error().message;
        EXPECT_EQ(*password, "Hunter2-secret");
    }
}

TEST(SecretFilePosix, RefusesAFileOthersMayRead) {
    test::TempTree tree;
    for (const mode_t mode : {0644, 0640, 0604, 0660}) {
        const auto file = write_password(tree, mode);
        const auto password = read_secret_file(file);
        ASSERT_FALSE(password.ok()) << std::oct << mode;
        const std::string& message = password.error().message;
        EXPECT_NE(message.find("lets group or others read the password; run: chmod 600 '" +
                               file.string() + "'"),
                  std::string::npos)
            << message;
        EXPECT_EQ(message.find("Hunter2"), std::string::npos) << message;
    }
}

TEST(SecretFilePosix, RefusesAFileAnotherUserOwns) {
    if (::geteuid() != 0) {
        GTEST_SKIP() << "needs root to give the file to another user";
    }
    test::TempTree tree;
    const auto file = write_password(tree, 0600);
    ASSERT_EQ(::chown(file.c_str(), 65534, 65534), 0);
    const auto password = read_secret_file(file);
    ASSERT_FALSE(password.ok());
    EXPECT_NE(password.error().message.find("could replace the password"), std::string::npos)
        << password.error().message;
}

}  // namespace
}  // namespace psguard
