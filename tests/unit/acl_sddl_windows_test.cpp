// The Windows adapter under Wine: real descriptors built by
// ConvertStringSecurityDescriptorToSecurityDescriptorW from SDDL, converted to the model by the
// same code that converts what GetSecurityInfo returns, then evaluated. Wine keeps no DACL on
// disk (SetNamedSecurityInfoW), so descriptors come from SDDL rather than from real folders.
#include <windows.h>
// After windows.h:
#include <sddl.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>

#include "acl/account_resolver.hpp"
#include "acl/acl_inspector.hpp"
#include "acl/acl_repair.hpp"
#include "acl/win_security.hpp"
#include "acl/windows_access_check.hpp"
#include "platform/win_text.hpp"
#include "temp_tree.hpp"
#include "wine_detect.hpp"

namespace psguard::acl {
namespace {

const Sid kSddlUser = Sid::parse("S-1-5-21-1-2-3-1001").value();
const Sid kSddlGroup = Sid::parse("S-1-5-21-1-2-3-2001").value();
constexpr const char* kU = "S-1-5-21-1-2-3-1001";
constexpr const char* kG = "S-1-5-21-1-2-3-2001";

AccessToken sddl_token() {
    AccessToken t;
    t.user = kSddlUser;
    t.groups = {kSddlGroup};
    add_well_known_groups(t, AccountScope::domain);
    return t;
}

SecurityDescriptor from_sddl(const std::string& sddl) {
    auto parsed = descriptor_from_sddl(sddl);
    EXPECT_TRUE(parsed.ok()) << sddl << ": " << (parsed.ok() ? "" : parsed.error().message);
    return parsed.ok() ? parsed.value() : SecurityDescriptor{};
}

TEST(AclSddl, ConvertsOwnerGroupAndEveryAceField) {
    const std::string sddl = std::string("O:BAG:SYD:PAI(D;ID;0x42;;;WD)(A;OICI;0x1301ff;;;") + kU +
                             ")(A;OICIIO;GA;;;CO)(A;OICIID;FA;;;SY)";
    const SecurityDescriptor model = from_sddl(sddl);
    EXPECT_EQ(model.owner, well_known::builtin_administrators());
    EXPECT_EQ(model.group, well_known::local_system());
    EXPECT_TRUE(model.dacl_protected);
    ASSERT_TRUE(model.dacl);
    ASSERT_EQ(model.dacl->aces.size(), 4u);
    const auto& aces = model.dacl->aces;
    EXPECT_EQ(aces[0], (Ace{AceKind::deny, well_known::everyone(), 0x42, ace_flags::inherited, 1}));
    EXPECT_EQ(aces[1], (Ace{AceKind::allow, kSddlUser, rights::modify,
                            ace_flags::object_inherit | ace_flags::container_inherit, 0}));
    EXPECT_EQ(aces[2], (Ace{AceKind::allow, well_known::creator_owner(), rights::generic_all,
                            ace_flags::object_inherit | ace_flags::container_inherit |
                                ace_flags::inherit_only,
                            0}));
    EXPECT_EQ(
        aces[3],
        (Ace{AceKind::allow, well_known::local_system(), rights::file_all_access,
             ace_flags::object_inherit | ace_flags::container_inherit | ace_flags::inherited, 0}));
}

std::string current_user() {
    wchar_t name[256] = {};
    DWORD size = 256;
    return GetUserNameW(name, &size) ? to_utf8(name) : std::string();
}

TEST(AclSddl, NullAndEmptyDacls) {
    // No D: part at all: no DACL, everyone has every right.
    const SecurityDescriptor null_dacl = from_sddl("O:BAG:SY");
    EXPECT_FALSE(null_dacl.dacl);
    const AccessCheck all = check_access(null_dacl, sddl_token(), rights::modify);
    EXPECT_TRUE(all.dacl_absent);
    EXPECT_EQ(all.granted, rights::file_all_access);
    EXPECT_EQ(all.missing, 0u);

    const SecurityDescriptor empty = from_sddl("O:BAD:");
    ASSERT_TRUE(empty.dacl);
    EXPECT_TRUE(empty.dacl->aces.empty());
    const AccessCheck none = check_access(empty, sddl_token(), rights::modify);
    EXPECT_EQ(none.granted, 0u);
    EXPECT_EQ(none.missing, rights::modify);
    EXPECT_FALSE(none.denied_by);

    // "D:NO_ACCESS_CONTROL" is a NULL DACL on Windows; Wine 8 turns it into an empty one.
    const SecurityDescriptor no_access_control = from_sddl("O:BAD:NO_ACCESS_CONTROL");
    if (test::running_under_wine()) {
        ASSERT_TRUE(no_access_control.dacl);
        EXPECT_TRUE(no_access_control.dacl->aces.empty());
    } else {
        EXPECT_FALSE(no_access_control.dacl);
    }
}

struct SddlCase {
    const char* name;
    std::string sddl;
    AccessMask granted;
    AccessMask missing;
    std::optional<std::size_t> denied_at;
    bool denied_inherited;
};

TEST(AclSddl, EvaluatesDescriptorsBuiltFromSddl) {
    const std::string u = kU;
    const std::string g = kG;
    const SddlCase cases[] = {
        {"explicit allow", "O:BAD:(A;OICI;0x1301ff;;;" + u + ")", rights::modify, 0, std::nullopt,
         false},
        {"inherited deny listed first wins over the explicit allow",
         "O:BAG:SYD:(D;ID;0x42;;;WD)(A;;0x1301ff;;;" + u + ")", 0x1301BD, 0x42, 0, true},
        {"explicit allow before an inherited deny wins",
         "O:BAG:SYD:(A;;0x1301ff;;;" + u + ")(D;ID;0x42;;;WD)", rights::modify, 0, std::nullopt,
         false},
        {"explicit deny before allow", "O:BAD:(D;;SD;;;" + u + ")(A;;0x1301ff;;;" + u + ")",
         rights::modify & ~rights::delete_, rights::delete_, 0, false},
        {"deny after allow does not count", "O:BAD:(A;;0x1301ff;;;" + u + ")(D;;SD;;;" + u + ")",
         rights::modify, 0, std::nullopt, false},
        {"group grants", "O:BAD:(A;ID;0x1301ff;;;" + g + ")", rights::modify, 0, std::nullopt,
         false},
        {"Authenticated Users read and execute only", "O:BAD:(A;OICIID;0x1200a9;;;AU)", 0x1200A9,
         0x10156, std::nullopt, false},
        {"BUILTIN\\Users with Explorer's Modify lacks delete child",
         "O:BAD:(A;OICIID;0x1301bf;;;BU)", 0x1301BF, rights::delete_child, std::nullopt, false},
        {"generic rights", "O:BAD:(A;;GRGWGX;;;" + u + ")", 0x1201BF, 0x10040, std::nullopt, false},
        {"full access by name", "O:BAD:(A;;FA;;;" + u + ")", rights::file_all_access, 0,
         std::nullopt, false},
        {"inherit-only ACEs do not apply", "O:BAD:(A;OICIIO;FA;;;" + u + ")", 0, rights::modify,
         std::nullopt, false},
        {"an ACE for someone else", "O:BAD:(A;;FA;;;S-1-5-21-1-2-3-4444)", 0, rights::modify,
         std::nullopt, false},
        {"the owner's implicit rights", "O:" + u + "D:", rights::read_control | rights::write_dac,
         0x1101FF, std::nullopt, false},
        {"Everyone denied write data, inherited, after explicit allows of a group",
         "O:BAD:AI(A;;0x1200a9;;;" + g + ")(D;ID;0x2;;;WD)(A;ID;0x1301ff;;;" + u + ")", 0x1301FD,
         rights::write_data, 1, true},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        const SecurityDescriptor model = from_sddl(c.sddl);
        const AccessCheck check = check_access(model, sddl_token(), rights::modify);
        EXPECT_EQ(check.granted, c.granted) << std::hex << "0x" << check.granted;
        EXPECT_EQ(check.missing, c.missing) << std::hex << "0x" << check.missing;
        ASSERT_EQ(check.denied_by.has_value(), c.denied_at.has_value());
        if (c.denied_at) {
            EXPECT_EQ(check.denied_by->index, *c.denied_at);
            EXPECT_EQ(check.denied_by->ace.inherited(), c.denied_inherited);
        }
    }
}

TEST(AclSddl, InvalidSddlIsAnError) {
    EXPECT_FALSE(descriptor_from_sddl("D:(X;;;;;)").ok());
    EXPECT_FALSE(descriptor_from_sddl("not sddl").ok());
}

TEST(AclSddl, ModelToSddlAndBack) {
    const std::string sddl = std::string("D:P(D;;0x42;;;WD)(A;OICI;0x1301ff;;;") + kU + ")";
    auto raw_model = descriptor_from_sddl(sddl);
    ASSERT_TRUE(raw_model.ok()) << raw_model.error().message;
    PSECURITY_DESCRIPTOR raw = nullptr;
    ASSERT_TRUE(ConvertStringSecurityDescriptorToSecurityDescriptorW(
        to_wide(sddl).c_str(), SDDL_REVISION_1, &raw, nullptr));
    LocalPtr<void> owner(raw);
    auto text = descriptor_to_sddl(raw, DACL_SECURITY_INFORMATION);
    ASSERT_TRUE(text.ok()) << text.error().message;
    auto again = descriptor_from_sddl(text.value());
    ASSERT_TRUE(again.ok()) << text.value();
    EXPECT_EQ(again->dacl, raw_model->dacl) << text.value();
    EXPECT_TRUE(again->dacl_protected);
}

// What Wine does with a real folder: the descriptor is read from a handle that does not follow
// links, and the repair primitives either work or say exactly why not.
TEST(AclWindowsAdapter, ReadsARealFolder) {
    test::TempTree tree;
    const auto folder = tree.mkdir("Package Delivery");
    auto security = read_path_security(folder);
    ASSERT_TRUE(security.ok()) << security.error().message;
    ASSERT_TRUE(std::holds_alternative<SecurityDescriptor>(security.value()));
    auto missing = read_path_security(tree / "missing");
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("does not exist"), std::string::npos)
        << missing.error().message;
}

TEST(AclWindowsAdapter, RefusesJunctions) {
    test::TempTree tree;
    const auto target = tree.mkdir("target");
    PSGUARD_LINK_OR_SKIP(test::make_junction(target, tree / "link"));
    auto security = read_path_security(tree / "link");
    ASSERT_FALSE(security.ok());
    EXPECT_NE(security.error().message.find("does not check through links"), std::string::npos)
        << security.error().message;
}

TEST(AclWindowsAdapter, SnapshotIsDaclSddl) {
    test::TempTree tree;
    const auto folder = tree.mkdir("PackageStatus");
    auto snapshot = snapshot_descriptor(folder);
    ASSERT_TRUE(snapshot.ok()) << snapshot.error().message;
    EXPECT_EQ(snapshot->rfind("D:", 0), 0u) << snapshot.value();
    EXPECT_TRUE(descriptor_from_sddl(snapshot.value()).ok()) << snapshot.value();
}

// The current user on a folder it created: Wine gives the creator full access, and so does a
// profile's temp folder on Windows. Under Wine Authz is a stub and NetUserGetGroups refuses
// level 0, so membership comes from NetUserGetLocalGroups alone and the result is partial.
TEST(AclWindowsAdapter, CurrentUserOnItsOwnFolder) {
    test::TempTree tree;
    const auto folder = tree.mkdir("Package Delivery");
    const std::string user = current_user();
    ASSERT_FALSE(user.empty());
    const AclReport report = inspect_acls(user, {folder}, {}, AclConfig{});
    ASSERT_TRUE(report.account_resolved) << report.note;
    EXPECT_EQ(report.resolved.rfind("S-1-5-", 0), 0u) << report.resolved;
    ASSERT_EQ(report.results.size(), 1u);
    const AclResult& result = report.results[0];
    EXPECT_TRUE(result.error.empty()) << result.error;
    EXPECT_TRUE(result.ok) << to_json(result).dump();
    EXPECT_TRUE(result.missing.empty());
    if (test::running_under_wine()) {
        EXPECT_EQ(report.groups_source, "netapi");
        EXPECT_TRUE(report.partial);
        EXPECT_TRUE(result.partial);
        EXPECT_NE(report.note.find("NetUserGetGroups"), std::string::npos) << report.note;
    } else {
        EXPECT_EQ(report.groups_source, "authz");
    }
}

// Windows: the ACE lands and restore puts the old DACL back. Wine accepts the new DACL and
// keeps nothing, which grant_modify must notice instead of reporting success.
TEST(AclWindowsAdapter, GrantModifyAndRestore) {
    test::TempTree tree;
    const auto folder = tree.mkdir("PackageStatus");
    const std::string user = current_user();
    const auto before = snapshot_descriptor(folder);
    ASSERT_TRUE(before.ok()) << before.error().message;
    const Status granted = grant_modify(folder, user);
    if (test::running_under_wine()) {
        ASSERT_FALSE(granted.ok());
        EXPECT_NE(granted.error().message.find("is not in place afterwards"), std::string::npos)
            << granted.error().message;
        EXPECT_EQ(snapshot_descriptor(folder).value(), before.value());
        return;
    }
    ASSERT_TRUE(granted.ok()) << granted.error().message;
    const ResolvedAccount who = resolve_account(user, false);
    ASSERT_TRUE(who.token);
    const auto after = descriptor_from_sddl(snapshot_descriptor(folder).value());
    ASSERT_TRUE(after.ok() && after->dacl);
    const Ace wanted{AceKind::allow, who.token->user, rights::modify,
                     ace_flags::object_inherit | ace_flags::container_inherit, 0};
    EXPECT_NE(std::find(after->dacl->aces.begin(), after->dacl->aces.end(), wanted),
              after->dacl->aces.end());
    ASSERT_TRUE(restore_descriptor(folder, before.value()).ok());
    EXPECT_EQ(snapshot_descriptor(folder).value(), before.value());
}

TEST(AclWindowsAdapter, RestoreRejectsWhatIsNotASnapshot) {
    test::TempTree tree;
    const auto folder = tree.mkdir("PackageStatus");
    EXPECT_FALSE(restore_descriptor(folder, "access=user::rwx\ndefault=\n").ok());
    EXPECT_FALSE(restore_descriptor(folder, "D:(X;;;;;)").ok());
}

TEST(AclWindowsAdapter, GrantToAnUnknownAccountChangesNothing) {
    test::TempTree tree;
    const auto folder = tree.mkdir("PackageStatus");
    const auto before = snapshot_descriptor(folder);
    ASSERT_TRUE(before.ok());
    const Status granted = grant_modify(folder, ".\\psguard-no-such-user-7f3a");
    ASSERT_FALSE(granted.ok());
    EXPECT_NE(granted.error().message.find("does not exist"), std::string::npos)
        << granted.error().message;
    EXPECT_EQ(snapshot_descriptor(folder).value(), before.value());
}

}  // namespace
}  // namespace psguard::acl
