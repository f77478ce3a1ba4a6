// psguard's state folder: created private (0700) when psguard creates it; a folder that already
// exists keeps its owner's mode and ACL (an ACL'd folder's mask rewritten to 0700 would lock the
// credential account out, and psguard would then diagnose the lock-out it caused).
#include <gtest/gtest.h>

#include <acl/libacl.h>
#include <sys/acl.h>
#include <sys/stat.h>

#include "cycle/state_dir.hpp"
#include "unit/temp_tree.hpp"

namespace psguard {
namespace {

namespace fs = std::filesystem;

unsigned mode_of(const fs::path& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
}

std::string acl_of(const fs::path& path) {
    acl_t acl = acl_get_file(path.c_str(), ACL_TYPE_ACCESS);
    if (acl == nullptr) {
        return "none";
    }
    char* text = acl_to_any_text(acl, nullptr, ',', TEXT_NUMERIC_IDS);
    std::string result = text != nullptr ? text : "?";
    acl_free(text);
    acl_free(acl);
    return result;
}

TEST(StateDirPosix, CreatesItsOwnFolderPrivate) {
    test::TempTree tree;
    const auto dir = tree / "var" / "psguard";
    auto state = StateDir::open(dir);
    ASSERT_TRUE(state) << state.error().message;
    EXPECT_EQ(mode_of(dir), 0700u);
}

TEST(StateDirPosix, LeavesTheModeAndAclOfAFolderItDidNotCreate) {
    test::TempTree tree;
    const auto dir = tree.mkdir("shared");
    ASSERT_EQ(::chmod(dir.c_str(), 0755), 0);
    acl_t acl = acl_from_text("user::rwx,user:1234:rwx,group::r-x,mask::rwx,other::r-x");
    ASSERT_NE(acl, nullptr);
    const bool with_acl = acl_set_file(dir.c_str(), ACL_TYPE_ACCESS, acl) == 0;
    acl_free(acl);
    const unsigned mode_before = mode_of(dir);
    const std::string acl_before = acl_of(dir);

    auto state = StateDir::open(dir);
    ASSERT_TRUE(state) << state.error().message;
    EXPECT_EQ(mode_of(dir), mode_before) << "psguard did not create it: its mode stays";
    EXPECT_EQ(acl_of(dir), acl_before);
    if (with_acl) {
        EXPECT_NE(acl_before.find("user:1234:rwx"), std::string::npos) << acl_before;
    }
}

// `psguard run` creates the folder before its log folder inside it, so it too is born private;
// a folder that exists is left alone.
TEST(StateDirPosix, CreateStateFolderOnlyRepermissionsWhatItCreates) {
    test::TempTree tree;
    const auto fresh = tree / "fresh";
    ASSERT_TRUE(create_state_folder(fresh));
    EXPECT_EQ(mode_of(fresh), 0700u);
    const auto shared = tree.mkdir("shared");
    ASSERT_EQ(::chmod(shared.c_str(), 0751), 0);
    ASSERT_TRUE(create_state_folder(shared));
    EXPECT_EQ(mode_of(shared), 0751u);
}

}  // namespace
}  // namespace psguard
