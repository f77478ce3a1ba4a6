// The ACL inspector: one result per path in plain words, its JSON shape, and the account
// findings (not configured, not resolvable). Runs natively and under Wine.
#include "acl/acl_inspector.hpp"
#include "core/utf8_path.hpp"

#include <gtest/gtest.h>

#ifdef _WIN32
#include <windows.h>

#include "platform/win_text.hpp"
#else
#include <pwd.h>
#include <unistd.h>
#endif

#include <set>
#include <string>
#include <vector>

#include "current_account.hpp"
#include "temp_tree.hpp"

namespace psguard {
namespace {

using acl::Ace;
using acl::AceKind;
using acl::Sid;

const Sid kInspectedUser = Sid::parse("S-1-5-21-1-2-3-1001").value();

ResolvedAccount windows_account(bool partial = false) {
    ResolvedAccount who;
    who.account = "CORP\\svc-pkgsvc";
    who.resolved = true;
    who.resolved_text = kInspectedUser.to_string();
    acl::AccessToken token;
    token.user = kInspectedUser;
    acl::add_well_known_groups(token, acl::AccountScope::domain);
    who.token = token;
    who.partial = partial;
    return who;
}

ResolvedAccount posix_account() {
    ResolvedAccount who;
    who.account = "nobody";
    who.resolved = true;
    who.resolved_text = "uid 65534";
    who.identity = acl::PosixIdentity{65534, {65534, 4242}};
    return who;
}

std::set<std::string> keys(const nlohmann::json& json) {
    std::set<std::string> out;
    for (auto it = json.begin(); it != json.end(); ++it) {
        out.insert(it.key());
    }
    return out;
}

const std::set<std::string> kResultKeys{"path",    "account", "resolved",  "ok",     "required",
                                        "granted", "missing", "denied_by", "partial"};

TEST(AclInspector, WindowsDescriptorInheritedDeny) {
    acl::SecurityDescriptor descriptor;
    descriptor.dacl = acl::Dacl{{
        Ace{AceKind::allow, acl::well_known::local_system(), acl::rights::file_all_access, 0x13, 0},
        Ace{AceKind::deny, acl::well_known::everyone(),
            acl::rights::write_data | acl::rights::delete_child, acl::ace_flags::inherited, 1},
        Ace{AceKind::allow, kInspectedUser, acl::rights::modify, acl::ace_flags::inherited, 0},
    }};
    const AclResult result =
        evaluate_path(test::TempTree().root() / "Package Delivery", windows_account(),
                      PathSecurity{descriptor}, acl::rights::modify);
    EXPECT_FALSE(result.ok);
    EXPECT_TRUE(result.error.empty());
    EXPECT_EQ(result.account, "CORP\\svc-pkgsvc");
    EXPECT_EQ(result.resolved, "S-1-5-21-1-2-3-1001");
    EXPECT_EQ(result.missing, (std::vector<std::string>{"write data", "delete child"}));
    EXPECT_EQ(result.required, acl::right_names(acl::rights::modify));
    EXPECT_EQ(result.granted, acl::right_names(acl::rights::modify & ~0x42u));
    ASSERT_TRUE(result.denied_by);
    EXPECT_EQ(result.denied_by->index, 1u);
    EXPECT_TRUE(result.denied_by->inherited);
    EXPECT_NE(result.denied_by->trustee.find("S-1-1-0"), std::string::npos)
        << result.denied_by->trustee;
    EXPECT_FALSE(result.partial);

    const nlohmann::json json = to_json(result);
    EXPECT_EQ(keys(json), kResultKeys);
    EXPECT_EQ(json["missing"], nlohmann::json({"write data", "delete child"}));
    EXPECT_EQ(json["denied_by"]["index"], 1);
    EXPECT_EQ(json["denied_by"]["inherited"], true);
    EXPECT_EQ(json["ok"], false);
}

TEST(AclInspector, WindowsPartialMembershipIsCarried) {
    acl::SecurityDescriptor descriptor;
    descriptor.dacl = acl::Dacl{{Ace{AceKind::allow, kInspectedUser, acl::rights::modify, 0, 0}}};
    const AclResult result = evaluate_path("C:/x", windows_account(/*partial=*/true),
                                           PathSecurity{descriptor}, acl::rights::modify);
    EXPECT_TRUE(result.ok);
    EXPECT_TRUE(result.partial);
    EXPECT_TRUE(result.missing.empty());
    EXPECT_FALSE(result.denied_by);
    EXPECT_TRUE(to_json(result)["denied_by"].is_null());
}

TEST(AclInspector, WindowsUnevaluatedAceMakesItPartial) {
    acl::SecurityDescriptor descriptor;
    descriptor.dacl = acl::Dacl{{Ace{AceKind::other, kInspectedUser, acl::rights::modify, 0, 10},
                                 Ace{AceKind::allow, kInspectedUser, acl::rights::modify, 0, 0}}};
    const AclResult result =
        evaluate_path("C:/x", windows_account(), PathSecurity{descriptor}, acl::rights::modify);
    EXPECT_TRUE(result.ok);
    EXPECT_TRUE(result.partial);
}

TEST(AclInspector, PosixGroupLimitedByMask) {
    acl::PosixAcl posix;
    posix.owner_uid = 0;
    posix.owner_gid = 0;
    posix.entries = {{acl::PosixTag::user_obj, 0, 7},
                     {acl::PosixTag::group_obj, 0, 5},
                     {acl::PosixTag::group, 4242, 7},
                     {acl::PosixTag::mask, 0, 5},
                     {acl::PosixTag::other, 0, 0}};
    const AclResult result =
        evaluate_path("/srv/x", posix_account(), PathSecurity{posix}, acl::rights::modify);
    EXPECT_FALSE(result.ok);
    EXPECT_EQ(result.required, (std::vector<std::string>{"read", "write", "execute / traverse"}));
    EXPECT_EQ(result.granted, (std::vector<std::string>{"read", "execute / traverse"}));
    EXPECT_EQ(result.missing, std::vector<std::string>{"write"});
    ASSERT_TRUE(result.denied_by);
    EXPECT_EQ(result.denied_by->index, 3u);
    EXPECT_EQ(result.denied_by->trustee, "mask (r-x)");
    EXPECT_FALSE(result.denied_by->inherited);
}

TEST(AclInspector, ModelAndAccountMustMatch) {
    const AclResult result =
        evaluate_path("/srv/x", windows_account(),
                      PathSecurity{acl::PosixAcl::from_mode(0, 0, 0777)}, acl::rights::modify);
    EXPECT_FALSE(result.ok);
    EXPECT_FALSE(result.error.empty());
    EXPECT_EQ(to_json(result).count("error"), 1u);
}

TEST(AclInspector, NoAccountConfiguredInspectsNothing) {
    test::TempTree tree;
    const AclReport report = inspect_acls("", {tree.root()}, {}, AclConfig{});
    EXPECT_FALSE(report.configured);
    EXPECT_FALSE(report.ok());
    EXPECT_TRUE(report.results.empty());
    EXPECT_NE(report.note.find("no credential account"), std::string::npos) << report.note;
    const auto json = to_json(report);
    EXPECT_EQ(json["configured"], false);
    EXPECT_TRUE(json["results"].empty());
}

TEST(AclInspector, BadRequiredRightIsReported) {
    test::TempTree tree;
    AclConfig config;
    config.required_rights = {"modfiy"};
    const AclReport report = inspect_acls("nobody", {tree.root()}, {}, config);
    EXPECT_TRUE(report.results.empty());
    EXPECT_NE(report.note.find("\"modfiy\""), std::string::npos) << report.note;
}

TEST(AclInspector, UnresolvableLocalAccountIsTheFinding) {
    test::TempTree tree;
    const AclReport report =
        inspect_acls(".\\psguard-no-such-user-7f3a", {tree.root()}, {}, AclConfig{});
    EXPECT_TRUE(report.configured);
    EXPECT_FALSE(report.account_resolved);
    EXPECT_TRUE(report.local_account);
    EXPECT_FALSE(report.ok());
    EXPECT_TRUE(report.results.empty());
    EXPECT_NE(report.note.find("psguard-no-such-user-7f3a"), std::string::npos) << report.note;
    EXPECT_NE(report.note.find("does not exist"), std::string::npos) << report.note;
    EXPECT_EQ(to_json(report)["account_resolved"], false);
}

TEST(AclInspector, UnresolvableSidIsTheFinding) {
    const ResolvedAccount who = resolve_account("S-1-5-21-1-2-3-987654");
    EXPECT_FALSE(who.resolved);
    EXPECT_FALSE(who.reason.empty());
    EXPECT_FALSE(who.token);
    EXPECT_FALSE(who.identity);
}

std::string current_user() {
    return test::current_account();
}

// The current user on folders it just created: each path is read and evaluated, none fails to
// read, and a missing folder is an error for that path only.
TEST(AclInspector, RealFoldersForTheCurrentUser) {
    test::TempTree tree;
    const auto delivery = tree.mkdir("Package Delivery");
    const auto status = tree.mkdir("PackageStatus");
    const auto package = tree.mkdir("Package Delivery/{6d417916-1234-4abc-9def-0123456789ab}");
    const std::string user = current_user();
    ASSERT_FALSE(user.empty());
    const AclReport report = inspect_acls(
        user, {delivery, status}, {package, tree / "Package Delivery" / "missing"}, AclConfig{});
    ASSERT_TRUE(report.account_resolved) << report.note;
    ASSERT_EQ(report.results.size(), 4u);
    for (std::size_t i = 0; i < 3; ++i) {
        const AclResult& result = report.results[i];
        EXPECT_TRUE(result.error.empty()) << result.path << ": " << result.error;
        EXPECT_EQ(result.resolved, report.resolved);
        EXPECT_FALSE(result.required.empty());
#ifndef _WIN32
        // The owner, with the folder's default mode: rwx for the owner.
        EXPECT_TRUE(result.ok) << to_json(result).dump();
#endif
    }
    EXPECT_EQ(report.results[0].path, path_to_utf8(delivery));
    EXPECT_EQ(report.results[2].path, path_to_utf8(package));
    const AclResult& missing = report.results[3];
    EXPECT_FALSE(missing.ok);
    EXPECT_NE(missing.error.find("does not exist"), std::string::npos) << missing.error;
    EXPECT_EQ(keys(to_json(missing)).count("error"), 1u);
    EXPECT_FALSE(report.ok());
}

// A package folder that is a link is not checked through (the scan reports the link): it is
// neither ok nor a missing right, so it cannot fail the whole report; a real folder still can.
TEST(AclInspector, ALinkIsNotCheckedAndFailsNothing) {
    test::TempTree tree;
    const auto delivery = tree.mkdir("Package Delivery");
    const auto status = tree.mkdir("PackageStatus");
    const auto package = tree.mkdir("Package Delivery/{6d417916-1234-4abc-9def-0123456789a1}");
    const auto outside = tree.mkdir("outside/{6d417916-1234-4abc-9def-0123456789a2}");
    const auto link = delivery / "{6d417916-1234-4abc-9def-0123456789a2}";
    if (auto why = test::make_directory_link(outside, link)) {
        GTEST_SKIP() << *why;
    }
    const std::string user = current_user();
    const AclReport report = inspect_acls(user, {delivery, status}, {package, link}, AclConfig{});
    ASSERT_TRUE(report.account_resolved) << report.note;
    ASSERT_EQ(report.results.size(), 4u);
    const AclResult& linked = report.results[3];
    EXPECT_EQ(linked.path, path_to_utf8(link));
    EXPECT_FALSE(linked.problem());
    EXPECT_TRUE(linked.error.empty()) << linked.error;
    EXPECT_FALSE(linked.not_checked.empty());
    const nlohmann::json json = to_json(linked);
    EXPECT_TRUE(json["ok"].is_null()) << json.dump();
    EXPECT_EQ(json["not_checked"], linked.not_checked);
#ifndef _WIN32
    EXPECT_NE(linked.not_checked.find("symlink to " + path_to_utf8(outside)), std::string::npos)
        << linked.not_checked;
    EXPECT_TRUE(report.ok()) << to_json(report).dump(2);
#endif

    const AclReport with_missing =
        inspect_acls(user, {delivery, status},
                     {link, delivery / "{6d417916-1234-4abc-9def-0123456789a3}"}, AclConfig{});
    EXPECT_FALSE(with_missing.ok()) << "a folder that cannot be read still fails the check";
}

// An incremental cycle reads the roots and the changed folders again and keeps the other
// folders' results: a result planted in `previous` survives for an unchanged folder only.
TEST(AclInspector, ReusingKeepsUnchangedFoldersAndRereadsTheRest) {
    test::TempTree tree;
    const auto delivery = tree.mkdir("Package Delivery");
    const auto status = tree.mkdir("PackageStatus");
    const auto kept = tree.mkdir("Package Delivery/{6d417916-1234-4abc-9def-0123456789a1}");
    const auto changed = tree.mkdir("Package Delivery/{6d417916-1234-4abc-9def-0123456789a2}");
    const auto added = tree.mkdir("Package Delivery/{6d417916-1234-4abc-9def-0123456789a3}");
    const std::string user = current_user();
    AclReport previous = inspect_acls(user, {delivery, status}, {kept, changed}, AclConfig{});
    ASSERT_TRUE(previous.account_resolved) << previous.note;
    ASSERT_EQ(previous.results.size(), 4u);
    for (auto& result : previous.results) {
        result.ok = false;  // a mark a fresh read would not produce for the owner's folders
        result.missing = {"planted"};
    }

    const AclReport report = inspect_acls_reusing(user, {delivery, status}, {kept, changed, added},
                                                  AclConfig{}, previous, {changed});
    ASSERT_EQ(report.results.size(), 5u);
    const std::vector<std::string> order = {path_to_utf8(delivery), path_to_utf8(status),
                                            path_to_utf8(kept), path_to_utf8(changed),
                                            path_to_utf8(added)};
    for (std::size_t i = 0; i < order.size(); ++i) {
        EXPECT_EQ(report.results[i].path, order[i]);
        const bool reused = report.results[i].missing == std::vector<std::string>{"planted"};
        EXPECT_EQ(reused, i == 2) << order[i];  // only the unchanged package folder
    }

    // Another account: nothing of the previous check is reused.
    previous.account = "someone-else";
    const AclReport other =
        inspect_acls_reusing(user, {delivery, status}, {kept}, AclConfig{}, previous, {});
    ASSERT_EQ(other.results.size(), 3u);
    EXPECT_NE(other.results[2].missing, std::vector<std::string>{"planted"});
}

}  // namespace
}  // namespace psguard
