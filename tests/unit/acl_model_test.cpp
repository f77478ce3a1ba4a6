// The ACL model's value types: SIDs in string and binary form, rights and their plain words,
// the configured right names, credential account names, and the binary ACL codec.
#include "acl/acl_model.hpp"
#include "acl/account_resolver.hpp"
#include "acl/acl_binary.hpp"
#include "acl/acl_config.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace psguard::acl {
namespace {

Sid model_sid(const char* text) {
    auto parsed = Sid::parse(text);
    EXPECT_TRUE(parsed.ok()) << text;
    return parsed.ok() ? parsed.value() : Sid();
}

TEST(Sid, ParsesAndPrintsTheStringForm) {
    const Sid domain_user = model_sid("S-1-5-21-1004336348-1177238915-682003330-1001");
    EXPECT_EQ(domain_user.authority(), 5u);
    EXPECT_EQ(domain_user.sub_authorities(),
              (std::vector<std::uint32_t>{21, 1004336348u, 1177238915u, 682003330u, 1001u}));
    EXPECT_EQ(domain_user.to_string(), "S-1-5-21-1004336348-1177238915-682003330-1001");
    EXPECT_EQ(model_sid("s-1-1-0"), well_known::everyone());
    EXPECT_EQ(model_sid("S-1-0x5-32-545").to_string(), "S-1-5-32-545");
    // Authorities of 2^32 and more print in hex, as SDDL does.
    EXPECT_EQ(model_sid("S-1-0x100000000-7").to_string(), "S-1-0x000100000000-7");
    EXPECT_EQ(model_sid("S-1-4294967295-1").to_string(), "S-1-4294967295-1");
}

TEST(Sid, RejectsMalformedText) {
    for (const char* bad : {"", "S", "S-", "S-1", "S-2-5-32", "X-1-5", "S-1-5-", "S-1-5--1",
                            "S-1-5-4294967296", "S-1-281474976710656", "S-1-5-x",
                            "S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16", "S-1- 5"}) {
        EXPECT_FALSE(Sid::parse(bad).ok()) << bad;
    }
    EXPECT_TRUE(Sid::parse("S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15").ok());
    EXPECT_TRUE(Sid::parse("S-1-0").ok());  // the NULL authority without sub-authorities
}

TEST(Sid, BinaryFormRoundTrips) {
    const Sid users = well_known::builtin_users();
    const std::vector<unsigned char> expected{1,  2, 0, 0, 0,    0,    0, 5,
                                              32, 0, 0, 0, 0x21, 0x02, 0, 0};
    EXPECT_EQ(users.to_bytes(), expected);
    auto back = Sid::from_bytes(expected.data(), expected.size());
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back.value(), users);
    EXPECT_FALSE(Sid::from_bytes(expected.data(), expected.size() - 1).ok());
    std::vector<unsigned char> revision2 = expected;
    revision2[0] = 2;
    EXPECT_FALSE(Sid::from_bytes(revision2.data(), revision2.size()).ok());
}

TEST(Sid, WellKnownNames) {
    EXPECT_EQ(well_known_name(well_known::everyone()), "Everyone");
    EXPECT_EQ(well_known_name(well_known::builtin_users()), "BUILTIN\\Users");
    EXPECT_EQ(well_known_name(well_known::authenticated_users()),
              "NT AUTHORITY\\Authenticated Users");
    EXPECT_FALSE(well_known_name(model_sid("S-1-5-21-1-2-3-1001")));
}

TEST(Rights, GenericRightsMapToFileRights) {
    EXPECT_EQ(map_generic(rights::generic_read), 0x120089u);
    EXPECT_EQ(map_generic(rights::generic_write), 0x120116u);
    EXPECT_EQ(map_generic(rights::generic_execute), 0x1200A0u);
    EXPECT_EQ(map_generic(rights::generic_all), 0x1F01FFu);
    EXPECT_EQ(map_generic(rights::generic_read | rights::delete_), 0x130089u);
    EXPECT_EQ(map_generic(rights::write_data), rights::write_data);
    EXPECT_EQ(rights::modify, 0x1301FFu);  // Explorer's Modify (0x1301BF) + delete child
}

TEST(Rights, PlainWords) {
    EXPECT_EQ(right_names(rights::write_data | rights::delete_child),
              (std::vector<std::string>{"write data", "delete child"}));
    EXPECT_EQ(
        right_names(rights::modify),
        (std::vector<std::string>{
            "read data", "write data", "append data / add subdirectory", "read extended attributes",
            "write extended attributes", "execute / traverse", "delete child", "read attributes",
            "write attributes", "delete", "read permissions", "synchronize"}));
    EXPECT_EQ(right_names(rights::generic_all).size(), 14u);
    EXPECT_EQ(right_names(rights::write_owner | rights::access_system_security),
              (std::vector<std::string>{"take ownership", "other rights 0x01000000"}));
    EXPECT_TRUE(right_names(0).empty());
}

TEST(Rights, ConfiguredNames) {
    EXPECT_EQ(right_from_name("modify"), rights::modify);
    EXPECT_EQ(right_from_name("  Full Control "), 0x1F01FFu);
    EXPECT_EQ(right_from_name("read and execute"), 0x1200A9u);
    EXPECT_EQ(right_from_name("create files and folders"), 0x6u);
    EXPECT_EQ(right_from_name("delete child"), rights::delete_child);
    EXPECT_EQ(right_from_name("take ownership"), rights::write_owner);
    EXPECT_FALSE(right_from_name("modifyy"));
    EXPECT_FALSE(right_from_name(""));
}

TEST(AclConfig, DefaultIsModify) {
    const AclConfig config;
    EXPECT_EQ(config.required_rights, std::vector<std::string>{"modify"});
    EXPECT_FALSE(config.repair);
    auto mask = required_access_mask(config.required_rights);
    ASSERT_TRUE(mask.ok());
    EXPECT_EQ(mask.value(), rights::modify);
    EXPECT_TRUE(validate_acl_config(config).ok());
}

TEST(AclConfig, UnionOfNamesAndTheBadNameIsNamed) {
    auto mask = required_access_mask({"read", "write data", "delete"});
    ASSERT_TRUE(mask.ok());
    EXPECT_EQ(mask.value(), 0x130089u | rights::write_data);

    AclConfig config;
    config.required_rights = {"read", "wirte data"};
    const auto status = validate_acl_config(config);
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.error().message.find("\"wirte data\""), std::string::npos)
        << status.error().message;
    config.required_rights.clear();
    EXPECT_FALSE(validate_acl_config(config).ok());
}

TEST(AccountName, Forms) {
    struct FormCase {
        const char* text;
        AccountForm form;
        const char* domain;
        const char* user;
    };
    const FormCase cases[] = {
        {"CORP\\svc-pkgsvc", AccountForm::domain_user, "CORP", "svc-pkgsvc"},
        {".\\pkgsvc", AccountForm::local_user, ".", "pkgsvc"},
        {"svc@corp.example.com", AccountForm::upn, "corp.example.com", "svc"},
        {"S-1-5-21-1-2-3-1001", AccountForm::sid, "", "S-1-5-21-1-2-3-1001"},
        {"nobody", AccountForm::plain, "", "nobody"},
    };
    for (const auto& c : cases) {
        auto parsed = parse_account_name(c.text);
        ASSERT_TRUE(parsed.ok()) << c.text << ": " << parsed.error().message;
        EXPECT_EQ(parsed->form, c.form) << c.text;
        EXPECT_EQ(parsed->domain, c.domain) << c.text;
        EXPECT_EQ(parsed->user, c.user) << c.text;
    }
}

TEST(AccountName, Rejects) {
    for (const char* bad : {"", "CORP\\", "\\user", ".\\", "@corp", "user@", "a\\b\\c", " user",
                            "user ", "us*er", "S-1-5-x"}) {
        EXPECT_FALSE(parse_account_name(bad).ok()) << bad;
    }
}

// The binary ACL: ACL header, then ACE header + mask + SID per ACE.
TEST(AclBinary, RoundTripsAllowAndDenyAces) {
    Dacl dacl;
    dacl.aces.push_back(
        {AceKind::deny, well_known::everyone(), rights::delete_, ace_flags::inherited, 1});
    dacl.aces.push_back({AceKind::allow, model_sid("S-1-5-21-1-2-3-1001"), rights::modify,
                         ace_flags::object_inherit | ace_flags::container_inherit, 0});
    auto bytes = serialize_acl(dacl);
    ASSERT_TRUE(bytes.ok()) << bytes.error().message;
    // 8 header + (8 + 12) Everyone + (8 + 28) the domain user.
    ASSERT_EQ(bytes->size(), 8u + 20u + 36u);
    EXPECT_EQ((*bytes)[0], 2);                      // ACL_REVISION
    EXPECT_EQ((*bytes)[2] | (*bytes)[3] << 8, 64);  // AclSize
    EXPECT_EQ((*bytes)[4], 2);                      // AceCount
    EXPECT_EQ((*bytes)[8], 1);                      // ACCESS_DENIED_ACE_TYPE
    EXPECT_EQ((*bytes)[9], 0x10);                   // INHERITED_ACE
    auto back = parse_acl(bytes->data(), bytes->size());
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back.value(), dacl);
}

TEST(AclBinary, OtherAceTypesAreKeptButMarked) {
    Dacl dacl;
    dacl.aces.push_back({AceKind::allow, well_known::everyone(), rights::read_data, 0, 0});
    auto bytes = serialize_acl(dacl);
    ASSERT_TRUE(bytes.ok());
    (*bytes)[8] = 9;  // ACCESS_ALLOWED_CALLBACK_ACE_TYPE: same layout, conditional
    auto back = parse_acl(bytes->data(), bytes->size());
    ASSERT_TRUE(back.ok()) << back.error().message;
    ASSERT_EQ(back->aces.size(), 1u);
    EXPECT_EQ(back->aces[0].kind, AceKind::other);
    EXPECT_EQ(back->aces[0].raw_type, 9);
    EXPECT_EQ(back->aces[0].trustee, well_known::everyone());
    EXPECT_FALSE(serialize_acl(back.value()).ok());
}

TEST(AclBinary, RejectsDamagedAcls) {
    Dacl dacl;
    dacl.aces.push_back({AceKind::allow, well_known::everyone(), rights::read_data, 0, 0});
    auto bytes = serialize_acl(dacl).value();
    EXPECT_FALSE(parse_acl(bytes.data(), 7).ok());
    EXPECT_FALSE(parse_acl(bytes.data(), bytes.size() - 1).ok());  // AclSize beyond the buffer
    auto more = bytes;
    more[4] = 2;  // AceCount says two
    EXPECT_FALSE(parse_acl(more.data(), more.size()).ok());
    auto huge_ace = bytes;
    huge_ace[10] = 0xFF;  // AceSize beyond the ACL
    EXPECT_FALSE(parse_acl(huge_ace.data(), huge_ace.size()).ok());
    auto bad_sid = bytes;
    bad_sid[17] = 9;  // sub-authority count beyond the ACE
    EXPECT_FALSE(parse_acl(bad_sid.data(), bad_sid.size()).ok());
    // An empty ACL is valid: no ACE, nothing granted.
    auto empty = serialize_acl(Dacl{}).value();
    auto parsed = parse_acl(empty.data(), empty.size());
    ASSERT_TRUE(parsed.ok());
    EXPECT_TRUE(parsed->aces.empty());
}

TEST(AclBinary, ExplicitAcesGoBeforeInheritedOnes) {
    Dacl dacl;
    EXPECT_EQ(explicit_insert_position(dacl), 0u);
    dacl.aces.push_back({AceKind::deny, well_known::everyone(), rights::delete_, 0, 1});
    dacl.aces.push_back(
        {AceKind::allow, well_known::local_system(), rights::file_all_access, 0, 0});
    EXPECT_EQ(explicit_insert_position(dacl), 2u);
    dacl.aces.push_back({AceKind::allow, well_known::builtin_users(), rights::file_generic_read,
                         ace_flags::inherited, 0});
    EXPECT_EQ(explicit_insert_position(dacl), 2u);
}

}  // namespace
}  // namespace psguard::acl
