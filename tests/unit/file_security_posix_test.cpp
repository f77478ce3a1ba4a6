// POSIX: owner, group, mode and access ACL read from one file and given to another, as a restore
// across volumes does; an ACL the saved state lacks is removed; links are refused.
#include <gtest/gtest.h>

#include <acl/libacl.h>
#include <sys/acl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acl/file_security.hpp"
#include "unit/temp_tree.hpp"

namespace psguard {
namespace {

namespace fs = std::filesystem;

void set_acl(const fs::path& file, const char* text) {
    acl_t acl = acl_from_text(text);
    ASSERT_NE(acl, nullptr) << text;
    ASSERT_EQ(acl_set_file(file.c_str(), ACL_TYPE_ACCESS, acl), 0) << file;
    acl_free(acl);
}

TEST(FileSecurityPosix, ReadsOwnerModeAndExtendedAcl) {
    test::TempTree tree;
    const auto file = tree.write("snapshot.xml", "<snapshot/>");
    ASSERT_EQ(::chmod(file.c_str(), 0640), 0);
    auto plain = read_file_security(file);
    ASSERT_TRUE(plain) << plain.error().message;
    EXPECT_EQ(plain->owner, ::geteuid());
    EXPECT_EQ(plain->mode, 0640u);
    EXPECT_EQ(plain->acl, "") << "the mode bits say all";

    set_acl(file, "user::rw-,user:1234:r--,group::r--,mask::r--,other::---");
    auto extended = read_file_security(file);
    ASSERT_TRUE(extended) << extended.error().message;
    EXPECT_EQ(extended->acl, "user::rw-,user:1234:r--,group::r--,mask::r--,other::---");
}

TEST(FileSecurityPosix, GivesAnotherFileTheSavedSecurity) {
    test::TempTree tree;
    const auto original = tree.write("original.xml", "<snapshot/>");
    set_acl(original, "user::rw-,user:1234:r--,group::r--,mask::r--,other::r--");
    if (::geteuid() == 0) {
        ASSERT_EQ(::chown(original.c_str(), 65534, 65534), 0);  // nobody:nogroup
    }
    const auto saved = read_file_security(original);
    ASSERT_TRUE(saved) << saved.error().message;

    const auto copy = tree.write("copy.xml", "<snapshot/>");  // psguard's own, 0600-ish
    ASSERT_EQ(::chmod(copy.c_str(), 0600), 0);
    const auto applied = apply_file_security(copy, *saved);
    ASSERT_TRUE(applied) << applied.error().message;
    const auto now = read_file_security(copy);
    ASSERT_TRUE(now);
    EXPECT_EQ(*now, *saved) << to_json(*now).dump() << " vs " << to_json(*saved).dump();
}

TEST(FileSecurityPosix, RemovesAnAclTheSavedStateLacks) {
    test::TempTree tree;
    const auto file = tree.write("snapshot.xml", "<snapshot/>");
    ASSERT_EQ(::chmod(file.c_str(), 0644), 0);
    const auto saved = read_file_security(file);
    ASSERT_TRUE(saved);
    set_acl(file, "user::rw-,user:1234:rw-,group::r--,mask::rw-,other::r--");
    ASSERT_TRUE(apply_file_security(file, *saved));
    const auto now = read_file_security(file);
    ASSERT_TRUE(now);
    EXPECT_EQ(now->acl, "");
    EXPECT_EQ(now->mode, 0644u);
}

TEST(FileSecurityPosix, SaysWhyWhenItMayNotChangeTheOwner) {
    if (::geteuid() == 0) {
        GTEST_SKIP() << "root may give any file to anyone";
    }
    test::TempTree tree;
    const auto file = tree.write("snapshot.xml", "<snapshot/>");
    auto wanted = read_file_security(file);
    ASSERT_TRUE(wanted);
    wanted->owner = 0;
    const auto applied = apply_file_security(file, *wanted);
    ASSERT_FALSE(applied);
    EXPECT_NE(applied.error().message.find("must run as root"), std::string::npos)
        << applied.error().message;
}

TEST(FileSecurityPosix, RefusesALink) {
    test::TempTree tree;
    const auto target = tree.write("target.xml", "<snapshot/>");
    fs::create_symlink(target, tree / "link.xml");
    EXPECT_FALSE(read_file_security(tree / "link.xml"));
    const auto saved = read_file_security(target);
    ASSERT_TRUE(saved);
    EXPECT_FALSE(apply_file_security(tree / "link.xml", *saved));
}

}  // namespace
}  // namespace psguard
