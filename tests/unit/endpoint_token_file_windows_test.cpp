// Windows: the token file's DACL. psguard writes SYSTEM + Administrators only (protected, no
// inheritance) and refuses a file that anyone else may read.
#include <windows.h>

#include <aclapi.h>
#include <sddl.h>

#include <gtest/gtest.h>

#include <fstream>
#include <vector>

#include "endpoint/token_file.hpp"
#include "platform/private_file.hpp"
#include "platform/win_text.hpp"
#include "unit/temp_tree.hpp"

namespace psguard {
namespace {

std::wstring dacl_sddl(const std::filesystem::path& file) {
    PSECURITY_DESCRIPTOR descriptor = nullptr;
    PACL dacl = nullptr;
    if (GetNamedSecurityInfoW(file.c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr,
                              nullptr, &dacl, nullptr, &descriptor) != ERROR_SUCCESS) {
        return L"(unreadable)";
    }
    wchar_t* text = nullptr;
    std::wstring result = L"(unconvertible)";
    if (ConvertSecurityDescriptorToStringSecurityDescriptorW(
            descriptor, SDDL_REVISION_1, DACL_SECURITY_INFORMATION, &text, nullptr)) {
        result = text;
        LocalFree(text);
    }
    LocalFree(descriptor);
    return result;
}

// Sets a protected DACL given as SDDL; false when the file system does not keep it (some Wine
// setups store no security descriptors), so the test can skip instead of lying.
bool set_dacl(const std::filesystem::path& file, const wchar_t* sddl) {
    PSECURITY_DESCRIPTOR descriptor = nullptr;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &descriptor,
                                                              nullptr)) {
        return false;
    }
    BOOL present = FALSE;
    BOOL defaulted = FALSE;
    PACL dacl = nullptr;
    GetSecurityDescriptorDacl(descriptor, &present, &dacl, &defaulted);
    const DWORD error =
        SetNamedSecurityInfoW(const_cast<wchar_t*>(file.c_str()), SE_FILE_OBJECT,
                              DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                              nullptr, nullptr, dacl, nullptr);
    LocalFree(descriptor);
    return error == ERROR_SUCCESS && dacl_sddl(file).starts_with(L"D:P(");
}

std::filesystem::path write_token(const test::TempTree& tree) {
    const auto file = tree / "endpoint.token";
    std::ofstream(file) << "0123456789abcdef0123456789abcdef\r\n";
    return file;
}

// The DACL walk itself, on descriptors built in memory (this runs under Wine too).
TEST(TokenFileWindows, OnlySystemAndAdministratorsMayRead) {
    for (const wchar_t* sddl : {L"D:P(A;;FA;;;SY)(A;;FA;;;BA)", L"D:P(A;;FA;;;SY)",
                                L"D:P(D;;FA;;;BU)(A;;FA;;;SY)(A;;FA;;;BA)",
                                L"D:P(A;;FA;;;SY)(A;;FA;;;BA)(A;OIIO;FR;;;BU)",
                                L"D:P(A;;FA;;;SY)(A;;0x100000;;;BU)",  // SYNCHRONIZE only
                                L"D:P"}) {                             // nobody at all
        const auto readers = other_private_readers(sddl);
        ASSERT_TRUE(readers.ok()) << readers.error().message;
        EXPECT_EQ(*readers, "") << to_utf8(sddl);
    }
}

TEST(TokenFileWindows, NamesEveryoneElseWhoMayRead) {
    const std::pair<const wchar_t*, const char*> cases[] = {
        {L"D:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FR;;;BU)", "S-1-5-32-545"},  // Users
        {L"D:P(A;;FA;;;SY)(A;;GR;;;WD)", "S-1-1-0"},                   // Everyone
        {L"D:P(A;;FA;;;BA)(A;;FA;;;AU)", "S-1-5-11"},                  // Authenticated Users
        {L"D:P(A;;FA;;;SY)(A;;WD;;;BU)", "S-1-5-32-545"},              // may rewrite the DACL
        {L"D:P(A;;FA;;;SY)(A;;FA;;;S-1-5-21-1-2-3-1001)", "S-1-5-21-1-2-3-1001"},  // one account
        {L"O:SY", "Everyone"},  // no DACL at all (Wine parses D:NO_ACCESS_CONTROL as an empty one)
    };
    for (const auto& [sddl, who] : cases) {
        const auto readers = other_private_readers(sddl);
        ASSERT_TRUE(readers.ok()) << readers.error().message;
        EXPECT_NE(readers->find(who), std::string::npos) << to_utf8(sddl) << " -> " << *readers;
    }
    EXPECT_FALSE(other_private_readers(L"not sddl").ok());
}

// As on POSIX, where the owner may be psguard's own user: the account psguard runs as (SYSTEM
// for the service) may read.
TEST(TokenFileWindows, PsguardsOwnAccountMayRead) {
    HANDLE token = nullptr;
    ASSERT_TRUE(OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token));
    DWORD size = 0;
    GetTokenInformation(token, TokenUser, nullptr, 0, &size);
    std::vector<BYTE> buffer(size);
    ASSERT_TRUE(GetTokenInformation(token, TokenUser, buffer.data(), size, &size));
    CloseHandle(token);
    wchar_t* own = nullptr;
    ASSERT_TRUE(
        ConvertSidToStringSidW(reinterpret_cast<TOKEN_USER*>(buffer.data())->User.Sid, &own));
    const std::wstring sddl = std::wstring(L"D:P(A;;FA;;;SY)(A;;FR;;;") + own + L")";
    LocalFree(own);
    const auto readers = other_private_readers(sddl);
    ASSERT_TRUE(readers.ok()) << readers.error().message;
    EXPECT_EQ(*readers, "") << to_utf8(sddl);
    const auto with_another = other_private_readers(sddl + L"(A;;FR;;;S-1-5-21-1-2-3-1001)");
    ASSERT_TRUE(with_another.ok());
    EXPECT_NE(with_another->find("S-1-5-21-1-2-3-1001"), std::string::npos);
}

// Wine (8.0) keeps no security descriptors on files: it reports one made up from the Unix
// mode, so the DACL checks run on real Windows only.
bool dacls_are_kept(const test::TempTree& tree) {
    const auto probe = tree / "dacl.probe";
    std::ofstream(probe) << "probe";
    return set_dacl(probe, L"D:P(A;;FA;;;SY)(A;;FA;;;BA)");
}

TEST(TokenFileWindows, CreatedFileIsSystemAndAdministratorsOnly) {
    test::TempTree tree;
    const auto file = tree / "endpoint.token";
    const auto token = create_token_file(file);
    ASSERT_TRUE(token.ok()) << token.error().message;
    if (!dacls_are_kept(tree)) {
        GTEST_SKIP() << "this file system keeps no DACLs (Wine)";
    }
    EXPECT_EQ(to_utf8(dacl_sddl(file)), "D:P(A;;FA;;;SY)(A;;FA;;;BA)");
    const auto read = read_token_file(file);
    ASSERT_TRUE(read.ok()) << read.error().message;
    EXPECT_EQ(*read, *token);
}

TEST(TokenFileWindows, AcceptsAdminOnlyDacl) {
    test::TempTree tree;
    const auto file = write_token(tree);
    if (!set_dacl(file, L"D:P(A;;FA;;;SY)(A;;FA;;;BA)")) {
        GTEST_SKIP() << "this file system keeps no DACLs";
    }
    const auto token = read_token_file(file);
    ASSERT_TRUE(token.ok()) << token.error().message;
    EXPECT_EQ(*token, "0123456789abcdef0123456789abcdef");
}

TEST(TokenFileWindows, RefusesReadableByUsers) {
    test::TempTree tree;
    const auto file = write_token(tree);
    if (!set_dacl(file, L"D:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FR;;;BU)")) {
        GTEST_SKIP() << "this file system keeps no DACLs";
    }
    const auto token = read_token_file(file);
    ASSERT_FALSE(token.ok());
    EXPECT_NE(token.error().message.find("S-1-5-32-545"), std::string::npos)
        << token.error().message;
    EXPECT_NE(token.error().message.find("icacls"), std::string::npos);
}

TEST(TokenFileWindows, RefusesEveryoneAndAuthenticatedUsers) {
    test::TempTree tree;
    const auto file = write_token(tree);
    for (const wchar_t* sddl : {L"D:P(A;;FA;;;SY)(A;;GR;;;WD)", L"D:P(A;;FA;;;BA)(A;;FA;;;AU)",
                                L"D:P(A;;FA;;;SY)(A;;WD;;;BU)"}) {
        if (!set_dacl(file, sddl)) {
            GTEST_SKIP() << "this file system keeps no DACLs";
        }
        EXPECT_FALSE(read_token_file(file).ok()) << to_utf8(sddl);
    }
}

TEST(TokenFileWindows, IgnoresDenyAndInheritOnlyEntries) {
    test::TempTree tree;
    const auto file = write_token(tree);
    if (!set_dacl(file, L"D:P(D;;FA;;;BU)(A;;FA;;;SY)(A;;FA;;;BA)(A;OIIO;FR;;;BU)")) {
        GTEST_SKIP() << "this file system keeps no DACLs";
    }
    const auto token = read_token_file(file);
    EXPECT_TRUE(token.ok()) << token.error().message;
}

}  // namespace
}  // namespace psguard
