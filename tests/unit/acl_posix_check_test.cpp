// The POSIX.1e access check on the portable model, table-driven: exact granted and missing
// permissions and the deciding entry.
#include "acl/posix_acl_model.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace psguard::acl {
namespace {

constexpr std::uint32_t kOwner = 1000;
constexpr std::uint32_t kOwningGroup = 1000;
constexpr std::uint32_t kAccount = 65534;  // nobody
constexpr std::uint32_t kAccountGroup = 65534;
constexpr std::uint32_t kDaemonGroup = 1;
constexpr std::uint32_t kOtherGroup = 4242;

constexpr PosixPerms R = posix_perm::read;
constexpr PosixPerms W = posix_perm::write;
constexpr PosixPerms X = posix_perm::execute;
constexpr PosixPerms RWX = posix_perm::all;
constexpr PosixPerms RX = R | X;

PosixEntry user_obj(PosixPerms p) {
    return {PosixTag::user_obj, 0, p};
}
PosixEntry user(std::uint32_t uid, PosixPerms p) {
    return {PosixTag::user, uid, p};
}
PosixEntry group_obj(PosixPerms p) {
    return {PosixTag::group_obj, 0, p};
}
PosixEntry group(std::uint32_t gid, PosixPerms p) {
    return {PosixTag::group, gid, p};
}
PosixEntry mask(PosixPerms p) {
    return {PosixTag::mask, 0, p};
}
PosixEntry other(PosixPerms p) {
    return {PosixTag::other, 0, p};
}

struct PosixCase {
    std::string name;
    std::vector<PosixEntry> entries;
    std::uint32_t uid;
    std::vector<std::uint32_t> gids;
    PosixPerms required;
    PosixPerms granted;
    PosixPerms missing;
    std::optional<std::size_t> decider;  // index of the entry blamed
    bool by_mask = false;
};

std::vector<PosixCase> posix_cases() {
    const std::vector<std::uint32_t> plain{kAccountGroup};
    const std::vector<std::uint32_t> in_daemon{kAccountGroup, kDaemonGroup};
    // One scenario per row is easier to check than clang-format's layout.
    // clang-format off
    return {
        // name, entries, uid, gids, required, granted, missing, blamed entry, by mask
        {"mode bits: other r-x", {user_obj(RWX), group_obj(RX), other(RX)},
         kAccount, plain, RWX, RX, W, 2},
        {"mode bits: the owner", {user_obj(RWX), group_obj(RX), other(0)},
         kOwner, plain, RWX, RWX, 0, std::nullopt},
        {"the owner entry decides even when other has more", {user_obj(R), group_obj(RWX), other(RWX)},
         kOwner, {kOwningGroup}, RWX, R, W | X, 0},
        {"mode bits: the owning group", {user_obj(RWX), group_obj(RX), other(0)},
         kAccount, {kOwningGroup}, RWX, RX, W, 1},
        {"named user rwx", {user_obj(RWX), user(kAccount, RWX), group_obj(RX), mask(RWX), other(0)},
         kAccount, plain, RWX, RWX, 0, std::nullopt},
        {"named user limited by the mask", {user_obj(RWX), user(kAccount, RWX), group_obj(RX), mask(RX), other(0)},
         kAccount, plain, RWX, RX, W, 3, true},
        {"named user lacks it itself", {user_obj(RWX), user(kAccount, RX), group_obj(RX), mask(RWX), other(RWX)},
         kAccount, plain, RWX, RX, W, 1},
        {"a named user entry hides other", {user_obj(RWX), user(kAccount, 0), group_obj(RX), mask(RWX), other(RWX)},
         kAccount, plain, RX, 0, RX, 1},
        {"named group rwx with mask rwx", {user_obj(RWX), group_obj(RX), group(kDaemonGroup, RWX), mask(RWX), other(0)},
         kAccount, in_daemon, RWX, RWX, 0, std::nullopt},
        {"named group limited by the mask", {user_obj(RWX), group_obj(RX), group(kDaemonGroup, RWX), mask(RX), other(RWX)},
         kAccount, in_daemon, RWX, RX, W, 3, true},
        {"owning group limited by the mask", {user_obj(RWX), user(4711, RWX), group_obj(RWX), mask(R), other(RWX)},
         kAccount, {kOwningGroup}, RWX, R, W | X, 3, true},
        {"each request may come from another group",
         {user_obj(RWX), group_obj(0), group(kDaemonGroup, R | X), group(kOtherGroup, W | X), mask(RWX), other(0)},
         kAccount, {kDaemonGroup, kOtherGroup}, RWX, RWX, 0, std::nullopt},
        {"write without execute in another group does not count",
         {user_obj(RWX), group_obj(0), group(kDaemonGroup, R | X), group(kOtherGroup, W), mask(RWX), other(RWX)},
         kAccount, {kDaemonGroup, kOtherGroup}, RWX, RX, W, 2},
        {"the mask can take execute and so write",
         {user_obj(RWX), group_obj(0), group(kDaemonGroup, RWX), mask(R | W), other(RWX)},
         kAccount, in_daemon, RWX, R, W | X, 3, true},
        {"one group entry holding everything wins",
         {user_obj(RWX), group_obj(R), group(kDaemonGroup, RX), group(kOtherGroup, RWX), mask(RWX), other(0)},
         kAccount, {kOwningGroup, kDaemonGroup, kOtherGroup}, RWX, RWX, 0, std::nullopt},
        {"a matching group hides other", {user_obj(RWX), group_obj(RX), group(kDaemonGroup, 0), mask(RWX), other(RWX)},
         kAccount, in_daemon, RWX, 0, RWX, 2},
        {"other, with named entries for someone else",
         {user_obj(RWX), user(4711, RWX), group_obj(RWX), group(kOtherGroup, RWX), mask(RWX), other(X)},
         kAccount, plain, RWX, X, R | W, 5},
        {"other is not limited by the mask", {user_obj(RWX), group_obj(R), group(kOtherGroup, RWX), mask(R), other(RWX)},
         kAccount, plain, RWX, RWX, 0, std::nullopt},
        {"read only needed", {user_obj(RWX), group_obj(RX), other(R)},
         kAccount, plain, R, R, 0, std::nullopt},
    };
    // clang-format on
}

// gtest prints a failing parameter with this instead of its bytes.
void PrintTo(const PosixCase& c, std::ostream* os) {
    *os << c.name;
}

// "3_deny_before_allow": gtest names must be alphanumeric.
std::string posix_case_name(const ::testing::TestParamInfo<PosixCase>& param) {
    std::string name;
    for (const char c : param.param.name) {
        name += std::isalnum(static_cast<unsigned char>(c)) != 0 ? c : '_';
    }
    return std::to_string(param.index) + "_" + name;
}

class PosixAccessCheck : public ::testing::TestWithParam<PosixCase> {};

TEST_P(PosixAccessCheck, GrantsExactly) {
    const PosixCase& c = GetParam();
    PosixAcl acl;
    acl.owner_uid = kOwner;
    acl.owner_gid = kOwningGroup;
    acl.entries = c.entries;
    const PosixCheck check = check_posix_access(acl, PosixIdentity{c.uid, c.gids}, c.required);
    EXPECT_EQ(posix_perm_text(check.granted), posix_perm_text(c.granted));
    EXPECT_EQ(posix_perm_text(check.missing), posix_perm_text(c.missing));
    EXPECT_FALSE(check.superuser);
    ASSERT_EQ(check.denied_by.has_value(), c.decider.has_value());
    if (c.decider) {
        EXPECT_EQ(check.denied_by->index, *c.decider);
        EXPECT_EQ(check.denied_by->entry, c.entries[*c.decider]);
        EXPECT_EQ(check.denied_by->by_mask, c.by_mask);
    }
}

INSTANTIATE_TEST_SUITE_P(Cases, PosixAccessCheck, ::testing::ValuesIn(posix_cases()),
                         posix_case_name);

TEST(PosixAccessCheckExtras, SuperuserBypassesPermissionBits) {
    const PosixAcl folder = PosixAcl::from_mode(kOwner, kOwningGroup, 0000);
    const PosixCheck check = check_posix_access(folder, PosixIdentity{0, {0}}, RWX);
    EXPECT_TRUE(check.superuser);
    EXPECT_EQ(check.granted, RWX);
    EXPECT_TRUE(check.ok());
    // A file without any execute bit is not executable, even for root.
    const PosixAcl file = PosixAcl::from_mode(kOwner, kOwningGroup, 0644, false);
    EXPECT_EQ(check_posix_access(file, PosixIdentity{0, {0}}, RWX).missing, X);
}

TEST(PosixAccessCheckExtras, FromMode) {
    const PosixAcl acl = PosixAcl::from_mode(1, 2, 0754);
    EXPECT_EQ(acl.owner_uid, 1u);
    EXPECT_EQ(acl.owner_gid, 2u);
    EXPECT_FALSE(acl.extended());
    EXPECT_EQ(acl.entries, (std::vector<PosixEntry>{user_obj(RWX), group_obj(RX), other(R)}));
}

TEST(PosixAccessCheckExtras, WindowsRightsToPosixPermissions) {
    EXPECT_EQ(posix_perms_for(rights::modify), RWX);
    EXPECT_EQ(posix_perms_for(rights::file_generic_read), R);
    EXPECT_EQ(posix_perms_for(rights::file_generic_read | rights::file_generic_execute), RX);
    EXPECT_EQ(posix_perms_for(rights::delete_child), W | X);  // unlinking needs w and x
    EXPECT_EQ(posix_perms_for(rights::write_data), W | X);
    EXPECT_EQ(posix_perms_for(rights::execute), X);
    EXPECT_EQ(posix_perms_for(rights::delete_ | rights::read_control | rights::synchronize), 0);
    EXPECT_EQ(posix_perms_for(rights::generic_all), RWX);
    EXPECT_EQ(posix_perm_names(RWX),
              (std::vector<std::string>{"read", "write", "execute / traverse"}));
    EXPECT_EQ(posix_perm_text(RX), "r-x");
}

}  // namespace
}  // namespace psguard::acl
