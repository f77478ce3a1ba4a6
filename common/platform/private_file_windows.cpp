#include <windows.h>

#include <aclapi.h>
#include <sddl.h>

#include <array>
#include <vector>

#include "acl/win_security.hpp"
#include "core/utf8_path.hpp"
#include "platform/private_file.hpp"
#include "platform/win_handle.hpp"
#include "platform/win_text.hpp"

namespace psguard {
namespace {

// Rights that let a holder read the file, or give themselves the right to.
constexpr ACCESS_MASK kReadingRights =
    FILE_READ_DATA | GENERIC_READ | GENERIC_ALL | WRITE_DAC | WRITE_OWNER;

std::string sid_text(PSID sid) {
    wchar_t* text = nullptr;
    if (!ConvertSidToStringSidW(sid, &text)) {
        return "?";
    }
    std::string result = to_utf8(text);
    LocalFree(text);
    std::array<wchar_t, 256> name{};
    std::array<wchar_t, 256> domain{};
    DWORD name_chars = static_cast<DWORD>(name.size());
    DWORD domain_chars = static_cast<DWORD>(domain.size());
    SID_NAME_USE use{};
    if (LookupAccountSidW(nullptr, sid, name.data(), &name_chars, domain.data(), &domain_chars,
                          &use)) {
        const std::wstring_view domain_view(domain.data(), domain_chars);
        result = (domain_view.empty() ? std::string() : to_utf8(domain_view) + "\\") +
                 to_utf8(std::wstring_view(name.data(), name_chars)) + " (" + result + ")";
    }
    return result;
}

bool is_well_known(PSID sid, WELL_KNOWN_SID_TYPE type) {
    std::array<BYTE, SECURITY_MAX_SID_SIZE> buffer{};
    DWORD size = static_cast<DWORD>(buffer.size());
    if (!CreateWellKnownSid(type, nullptr, buffer.data(), &size)) {
        return false;
    }
    return EqualSid(sid, buffer.data()) != FALSE;
}

// The account this process runs as (SYSTEM for the service), as POSIX allows the file's owner
// when that is psguard's own user; empty when the token cannot be read.
std::vector<BYTE> own_user_sid() {
    HANDLE raw = nullptr;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &raw)) {
        return {};
    }
    WinHandle token(raw);
    DWORD size = 0;
    GetTokenInformation(token.get(), TokenUser, nullptr, 0, &size);
    std::vector<BYTE> buffer(size);
    if (size == 0 || !GetTokenInformation(token.get(), TokenUser, buffer.data(), size, &size)) {
        return {};
    }
    const PSID sid = reinterpret_cast<const TOKEN_USER*>(buffer.data())->User.Sid;
    const auto* first = static_cast<const BYTE*>(sid);
    return std::vector<BYTE>(first, first + GetLengthSid(sid));
}

// The allow entries of `dacl` that let someone other than SYSTEM, Administrators and the
// account psguard runs as read.
std::string readers_in(PACL dacl) {
    if (dacl == nullptr) {
        return "Everyone (the file has no DACL)";
    }
    ACL_SIZE_INFORMATION info{};
    if (!GetAclInformation(dacl, &info, sizeof(info), AclSizeInformation)) {
        return "unknown readers (the DACL cannot be walked: " + win_error_text(GetLastError()) +
               ")";
    }
    std::vector<BYTE> own = own_user_sid();
    std::string readers;
    for (DWORD i = 0; i < info.AceCount; ++i) {
        void* ace = nullptr;
        if (!GetAce(dacl, i, &ace)) {
            continue;
        }
        const auto* header = static_cast<const ACE_HEADER*>(ace);
        // Deny ACEs only take rights away; inherit-only ACEs do not apply to the file itself.
        if (header->AceType != ACCESS_ALLOWED_ACE_TYPE ||
            (header->AceFlags & INHERIT_ONLY_ACE) != 0) {
            continue;
        }
        auto* allowed = static_cast<ACCESS_ALLOWED_ACE*>(ace);
        if ((allowed->Mask & kReadingRights) == 0) {
            continue;
        }
        PSID sid = &allowed->SidStart;
        if (is_well_known(sid, WinLocalSystemSid) ||
            is_well_known(sid, WinBuiltinAdministratorsSid) ||
            (!own.empty() && EqualSid(sid, own.data()))) {
            continue;
        }
        readers += (readers.empty() ? "" : ", ") + sid_text(sid);
    }
    return readers;
}

}  // namespace

Result<std::string> other_private_readers(const std::wstring& sddl) {
    PSECURITY_DESCRIPTOR raw = nullptr;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1, &raw,
                                                              nullptr)) {
        return fail("not a security descriptor: " + to_utf8(sddl));
    }
    acl::LocalPtr<void> descriptor(raw);
    BOOL present = FALSE;
    BOOL defaulted = FALSE;
    PACL dacl = nullptr;
    if (!GetSecurityDescriptorDacl(raw, &present, &dacl, &defaulted)) {
        return fail("cannot read the DACL: " + win_error_text(GetLastError()));
    }
    return readers_in(present ? dacl : nullptr);
}

Result<std::string> read_private_file(const std::filesystem::path& file, std::string_view what,
                                      std::size_t max_bytes) {
    const std::string kind(what);
    const std::string where = path_to_utf8(file);
    // The DACL judged is the opened file's (READ_CONTROL), so the file judged is the file read.
    WinHandle handle(CreateFileW(file.c_str(), GENERIC_READ | READ_CONTROL,
                                 FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr, OPEN_EXISTING,
                                 FILE_ATTRIBUTE_NORMAL, nullptr));
    if (!handle) {
        return fail("cannot open the " + kind + " file " + where + ": " +
                    win_error_text(GetLastError()));
    }
    if (GetFileType(handle.get()) != FILE_TYPE_DISK) {
        return fail(where + ": the " + kind + " file is not a regular file");
    }
    PACL dacl = nullptr;
    PSECURITY_DESCRIPTOR raw = nullptr;
    const DWORD error = GetSecurityInfo(handle.get(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION,
                                        nullptr, nullptr, &dacl, nullptr, &raw);
    if (error != ERROR_SUCCESS) {
        return fail(where + ": cannot read the " + kind +
                    " file's permissions: " + win_error_text(error));
    }
    acl::LocalPtr<void> descriptor(raw);
    if (const std::string readers = readers_in(dacl); !readers.empty()) {
        return fail(where + ": besides SYSTEM and Administrators, " + readers + " may read the " +
                    kind + "; run: icacls \"" + where +
                    "\" /inheritance:r /grant:r *S-1-5-18:F *S-1-5-32-544:F");
    }
    std::string content(max_bytes + 1, '\0');
    std::size_t size = 0;
    while (size < content.size()) {
        DWORD got = 0;
        if (!ReadFile(handle.get(), content.data() + size,
                      static_cast<DWORD>(content.size() - size), &got, nullptr)) {
            return fail("cannot read the " + kind + " file " + where + ": " +
                        win_error_text(GetLastError()));
        }
        if (got == 0) {
            break;
        }
        size += got;
    }
    if (size > max_bytes) {
        return fail(too_large_text(file, what, max_bytes));
    }
    content.resize(size);
    return content;
}

}  // namespace psguard
