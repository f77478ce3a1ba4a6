// The Windows access check on the portable model, table-driven: every case asserts the exact
// granted and missing masks and the index of the denying ACE.
#include "acl/windows_access_check.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace psguard::acl {
namespace {

Sid sid(const char* text) {
    return Sid::parse(text).value();
}

// The account under test, a group it belongs to, a group it does not belong to.
const Sid kUser = sid("S-1-5-21-1-2-3-1001");
const Sid kGroup = sid("S-1-5-21-1-2-3-2001");
const Sid kStranger = sid("S-1-5-21-1-2-3-2002");
const Sid kDenyOnly = sid("S-1-5-21-1-2-3-2003");

constexpr std::uint8_t kId = ace_flags::inherited;
constexpr std::uint8_t kOiCi = ace_flags::object_inherit | ace_flags::container_inherit;
constexpr std::uint8_t kIo = ace_flags::inherit_only;

Ace allow(const Sid& who, AccessMask mask, std::uint8_t flags = 0) {
    return Ace{AceKind::allow, who, mask, flags, 0};
}
Ace deny(const Sid& who, AccessMask mask, std::uint8_t flags = 0) {
    return Ace{AceKind::deny, who, mask, flags, 1};
}

AccessToken token() {
    AccessToken t;
    t.user = kUser;
    t.groups = {kGroup};
    t.deny_only_groups = {kDenyOnly};
    add_well_known_groups(t, AccountScope::domain);
    return t;
}

struct Case {
    std::string name;
    std::optional<std::vector<Ace>> aces;  // nullopt: no DACL
    std::optional<Sid> owner;
    AccessMask required;
    AccessMask granted;
    AccessMask missing;
    std::optional<std::size_t> denied_at;
    bool denied_inherited = false;
};

constexpr AccessMask kModify = rights::modify;  // 0x1301FF
constexpr AccessMask kReadExecute = 0x1200A9;
constexpr AccessMask kWriteDeleteChild = rights::write_data | rights::delete_child;  // 0x42

std::vector<Case> cases() {
    return {
        {"explicit allow for the account", std::vector{allow(kUser, kModify)}, std::nullopt,
         kModify, kModify, 0, std::nullopt},
        {"allow of fewer rights", std::vector{allow(kUser, kReadExecute)}, std::nullopt, kModify,
         kReadExecute, 0x10156, std::nullopt},
        {"deny before allow", std::vector{deny(kUser, kWriteDeleteChild), allow(kUser, kModify)},
         std::nullopt, kModify, 0x1301BD, kWriteDeleteChild, 0},
        {"deny after allow (non-canonical order): the allow came first and wins",
         std::vector{allow(kUser, kModify), deny(kUser, kWriteDeleteChild)}, std::nullopt, kModify,
         kModify, 0, std::nullopt},
        {"deny after a partial allow removes only what is not yet granted",
         std::vector{allow(kUser, kReadExecute), deny(kUser, kModify), allow(kUser, kModify)},
         std::nullopt, kModify, kReadExecute, 0x10156, 1},
        {"explicit allow before an inherited deny (canonical): the allow wins",
         std::vector{allow(kUser, kModify), deny(well_known::everyone(), kWriteDeleteChild, kId)},
         std::nullopt, kModify, kModify, 0, std::nullopt},
        {"inherited deny before an explicit allow (non-canonical): the deny wins",
         std::vector{deny(well_known::everyone(), kWriteDeleteChild, kId), allow(kUser, kModify)},
         std::nullopt, kModify, 0x1301BD, kWriteDeleteChild, 0, true},
        {"inherited deny before an inherited allow",
         std::vector{allow(kStranger, kModify), deny(kGroup, rights::delete_, kId),
                     allow(kUser, kModify, kId)},
         std::nullopt, kModify, kModify & ~rights::delete_, rights::delete_, 1, true},
        {"a group of the account grants", std::vector{allow(kGroup, kModify)}, std::nullopt,
         kModify, kModify, 0, std::nullopt},
        {"a group the account is not in grants nothing", std::vector{allow(kStranger, kModify)},
         std::nullopt, kModify, 0, kModify, std::nullopt},
        {"Everyone grants", std::vector{allow(well_known::everyone(), kModify)}, std::nullopt,
         kModify, kModify, 0, std::nullopt},
        {"Everyone is denied delete",
         std::vector{deny(well_known::everyone(), rights::delete_), allow(kUser, kModify)},
         std::nullopt, kModify, kModify & ~rights::delete_, rights::delete_, 0},
        {"Authenticated Users and BUILTIN\\Users count",
         std::vector{
             allow(well_known::authenticated_users(), kReadExecute),
             allow(well_known::builtin_users(), rights::write_data | rights::append_data |
                                                    rights::write_ea | rights::write_attributes),
             allow(well_known::this_organization(), rights::delete_ | rights::delete_child)},
         std::nullopt, kModify, kModify, 0, std::nullopt},
        {"GENERIC_ALL is full control", std::vector{allow(kUser, rights::generic_all)},
         std::nullopt, kModify, rights::file_all_access, 0, std::nullopt},
        {"GENERIC_READ|WRITE|EXECUTE lacks delete and delete child",
         std::vector{
             allow(kUser, rights::generic_read | rights::generic_write | rights::generic_execute)},
         std::nullopt, kModify, 0x1201BF, rights::delete_ | rights::delete_child, std::nullopt},
        {"a GENERIC_WRITE deny takes the file write rights",
         std::vector{deny(kUser, rights::generic_write), allow(kUser, rights::generic_all)},
         std::nullopt, kModify, 0x0D00E9, 0x120116, 0},
        {"generic rights in the requirement are mapped too", std::vector{allow(kUser, 0x120089)},
         std::nullopt, rights::generic_read, 0x120089, 0, std::nullopt},
        {"inherit-only allow does not apply to the folder itself",
         std::vector{allow(kUser, kModify, kOiCi | kIo)}, std::nullopt, kModify, 0, kModify,
         std::nullopt},
        {"inherit-only deny does not apply to the folder itself",
         std::vector{deny(kUser, kModify, kOiCi | kIo), allow(kUser, kModify, kOiCi)}, std::nullopt,
         kModify, kModify, 0, std::nullopt},
        {"no DACL grants everything", std::nullopt, std::nullopt, kModify, rights::file_all_access,
         0, std::nullopt},
        {"an empty DACL grants nothing", std::vector<Ace>{}, std::nullopt, kModify, 0, kModify,
         std::nullopt},
        {"the owner may read and change permissions even with an empty DACL", std::vector<Ace>{},
         kUser, kModify, rights::read_control | rights::write_dac, 0x1101FF, std::nullopt},
        {"a deny cannot take the owner's implicit rights",
         std::vector{deny(kUser, rights::read_control | rights::write_dac)}, kUser,
         rights::read_control | rights::write_dac, rights::read_control | rights::write_dac, 0,
         std::nullopt},
        {"an OWNER RIGHTS ACE replaces the owner's implicit rights",
         std::vector{allow(well_known::owner_rights(), rights::file_generic_read)}, kUser,
         rights::write_dac, rights::file_generic_read, rights::write_dac, std::nullopt},
        {"owner through a group", std::vector<Ace>{}, kGroup, rights::write_dac,
         rights::read_control | rights::write_dac, 0, std::nullopt},
        {"CREATOR OWNER on the folder itself matches nobody",
         std::vector{allow(well_known::creator_owner(), kModify)}, kUser, kModify,
         rights::read_control | rights::write_dac, 0x1101FF, std::nullopt},
        {"a deny-only group matches deny ACEs",
         std::vector{deny(kDenyOnly, rights::delete_child), allow(kUser, kModify)}, std::nullopt,
         kModify, kModify & ~rights::delete_child, rights::delete_child, 0},
        {"a deny-only group does not match allow ACEs", std::vector{allow(kDenyOnly, kModify)},
         std::nullopt, kModify, 0, kModify, std::nullopt},
        {"the first deny that took a missing right is named",
         std::vector{allow(kUser, rights::file_generic_read), deny(kGroup, rights::write_data),
                     deny(well_known::everyone(), rights::delete_child), allow(kUser, kModify)},
         std::nullopt, kModify, 0x1301BD, kWriteDeleteChild, 1},
        {"a deny of rights that are not required is not blamed",
         std::vector{deny(kUser, rights::write_owner), allow(kUser, kReadExecute)}, std::nullopt,
         kModify, kReadExecute, 0x10156, std::nullopt},
    };
}

// gtest prints a failing parameter with this instead of its bytes.
void PrintTo(const Case& c, std::ostream* os) {
    *os << c.name;
}

// "3_deny_before_allow": gtest names must be alphanumeric.
std::string case_name(const ::testing::TestParamInfo<Case>& param) {
    std::string name;
    for (const char c : param.param.name) {
        name += std::isalnum(static_cast<unsigned char>(c)) != 0 ? c : '_';
    }
    return std::to_string(param.index) + "_" + name;
}

class WindowsAccessCheck : public ::testing::TestWithParam<Case> {};

TEST_P(WindowsAccessCheck, GrantsExactly) {
    const Case& c = GetParam();
    SecurityDescriptor descriptor;
    descriptor.owner = c.owner;
    if (c.aces) {
        descriptor.dacl = Dacl{*c.aces};
    }
    const AccessCheck check = check_access(descriptor, token(), c.required);
    EXPECT_EQ(check.granted, c.granted) << std::hex << "granted 0x" << check.granted;
    EXPECT_EQ(check.missing, c.missing) << std::hex << "missing 0x" << check.missing;
    EXPECT_EQ(check.ok(), c.missing == 0);
    EXPECT_EQ(check.dacl_absent, !c.aces.has_value());
    ASSERT_EQ(check.denied_by.has_value(), c.denied_at.has_value());
    if (c.denied_at) {
        EXPECT_EQ(check.denied_by->index, *c.denied_at);
        EXPECT_EQ(check.denied_by->ace, (*c.aces)[*c.denied_at]);
        EXPECT_EQ(check.denied_by->ace.inherited(), c.denied_inherited);
        EXPECT_EQ(check.denied_by->ace.kind, AceKind::deny);
    }
    EXPECT_TRUE(check.unevaluated.empty());
}

INSTANTIATE_TEST_SUITE_P(Cases, WindowsAccessCheck, ::testing::ValuesIn(cases()), case_name);

TEST(WindowsAccessCheckExtras, UnsupportedAcesAreReportedNotEvaluated) {
    SecurityDescriptor descriptor;
    descriptor.dacl = Dacl{{Ace{AceKind::other, kUser, kModify, 0, 9}, allow(kUser, kReadExecute),
                            Ace{AceKind::other, kUser, kModify, kOiCi | kIo, 10}}};
    const AccessCheck check = check_access(descriptor, token(), kModify);
    EXPECT_EQ(check.granted, kReadExecute);
    EXPECT_EQ(check.unevaluated, std::vector<std::size_t>{0});  // the inherit-only one is moot
}

TEST(WindowsAccessCheckExtras, WellKnownGroupsByScope) {
    AccessToken local;
    local.user = kUser;
    add_well_known_groups(local, AccountScope::local);
    EXPECT_EQ(local.groups,
              (std::vector<Sid>{well_known::everyone(), well_known::authenticated_users(),
                                well_known::builtin_users(), well_known::local_account()}));
    add_well_known_groups(local, AccountScope::local);  // idempotent
    EXPECT_EQ(local.groups.size(), 4u);
    AccessToken domain;
    domain.user = kUser;
    add_well_known_groups(domain, AccountScope::domain);
    EXPECT_EQ(domain.groups.back(), well_known::this_organization());
}

}  // namespace
}  // namespace psguard::acl
