// Windows side of the file security kept through quarantine: the security descriptor, read and
// written through one handle opened without following a reparse point. Making another account
// the owner needs SeRestorePrivilege, the SACL needs SeSecurityPrivilege: both are enabled for
// the calling thread only (ImpersonateSelf), and the SACL is kept only when psguard holds that
// privilege (LocalSystem and elevated administrators do).
#include <windows.h>
// After windows.h:
#include <aclapi.h>
#include <sddl.h>

#include <algorithm>
#include <initializer_list>
#include <vector>

#include "acl/file_security.hpp"
#include "acl/win_security.hpp"
#include "core/utf8_path.hpp"
#include "platform/win_handle.hpp"
#include "platform/win_text.hpp"

namespace psguard {
namespace fs = std::filesystem;

namespace {

// The named privileges enabled on this thread's own copy of the process token, so that no other
// thread of psguard gains them; the thread is back on the process token on destruction.
class ThreadPrivileges {
  public:
    explicit ThreadPrivileges(std::initializer_list<const wchar_t*> names) {
        if (!ImpersonateSelf(SecurityImpersonation)) {
            return;
        }
        impersonating_ = true;
        HANDLE raw = nullptr;
        if (!OpenThreadToken(GetCurrentThread(), TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY, TRUE,
                             &raw)) {
            return;
        }
        WinHandle token(raw);
        for (const wchar_t* name : names) {
            TOKEN_PRIVILEGES wanted{};
            wanted.PrivilegeCount = 1;
            wanted.Privileges[0].Attributes = SE_PRIVILEGE_ENABLED;
            if (!LookupPrivilegeValueW(nullptr, name, &wanted.Privileges[0].Luid)) {
                continue;
            }
            // Succeeds with ERROR_NOT_ALL_ASSIGNED when the token lacks the privilege.
            if (AdjustTokenPrivileges(token.get(), FALSE, &wanted, 0, nullptr, nullptr) &&
                GetLastError() == ERROR_SUCCESS) {
                held_.push_back(name);
            }
        }
    }
    ~ThreadPrivileges() {
        if (impersonating_) {
            RevertToSelf();
        }
    }
    ThreadPrivileges(const ThreadPrivileges&) = delete;
    ThreadPrivileges& operator=(const ThreadPrivileges&) = delete;

    bool held(const wchar_t* name) const {
        return std::find(held_.begin(), held_.end(), std::wstring_view(name)) != held_.end();
    }

  private:
    bool impersonating_ = false;
    std::vector<std::wstring_view> held_;
};

constexpr SECURITY_INFORMATION kBaseParts =
    OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION;

Result<WinHandle> open_file(const fs::path& file, DWORD access) {
    const std::string shown = path_to_utf8(file);
    const std::wstring wide = acl::security_api_path(file.native());
    WinHandle handle(CreateFileW(
        wide.c_str(), access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
        OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, nullptr));
    if (!handle) {
        return fail(shown + ": cannot open: " + win_error_text(GetLastError()));
    }
    BY_HANDLE_FILE_INFORMATION info{};
    if (!GetFileInformationByHandle(handle.get(), &info)) {
        return fail(shown + ": cannot inspect: " + win_error_text(GetLastError()));
    }
    if ((info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0) {
        return fail(shown + ": is a junction or symlink; psguard does not act through links");
    }
    if ((info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0) {
        return fail(shown + ": not a regular file");
    }
    return handle;
}

Result<acl::LocalPtr<void>> read_descriptor(HANDLE handle, SECURITY_INFORMATION parts,
                                            const std::string& shown) {
    PSECURITY_DESCRIPTOR raw = nullptr;
    const DWORD status =
        GetSecurityInfo(handle, SE_FILE_OBJECT, parts, nullptr, nullptr, nullptr, nullptr, &raw);
    if (status != ERROR_SUCCESS) {
        return fail(shown + ": cannot read its security descriptor: " + win_error_text(status));
    }
    return acl::LocalPtr<void>(raw);
}

// What must come back: owner, group, the DACL's protection and its explicit ACEs. Inherited ACEs
// follow from the folder the file is in, as for any other file there.
Result<acl::SecurityDescriptor> essentials(PSECURITY_DESCRIPTOR descriptor) {
    auto model = acl::descriptor_from_native(descriptor);
    if (!model) {
        return model.error();
    }
    if (model->dacl) {
        std::erase_if(model->dacl->aces, [](const acl::Ace& ace) { return ace.inherited(); });
    }
    return model;
}

// The SACL part of a descriptor's SDDL ("S:..."), empty when it has none.
std::string sacl_text(const std::string& sddl) {
    const auto at = sddl.find("S:");
    return at == std::string::npos ? std::string() : sddl.substr(at);
}

// Whether the file behind `handle` holds what was recorded, in the parts that must come back:
// owner, group, the DACL's protection and explicit ACEs (essentials), and the SACL when recorded.
Result<bool> matches(HANDLE handle, const acl::SecurityDescriptor& want,
                     const std::string& wanted_sacl, const std::string& shown) {
    const bool with_sacl = !wanted_sacl.empty();
    auto now =
        read_descriptor(handle, kBaseParts | (with_sacl ? SACL_SECURITY_INFORMATION : 0), shown);
    if (!now) {
        return now.error();
    }
    auto have = essentials(now->get());
    if (!have) {
        return fail(shown + ": " + have.error().message);
    }
    if (!with_sacl) {
        return *have == want;
    }
    auto sddl = acl::descriptor_to_sddl(now->get(), SACL_SECURITY_INFORMATION);
    return *have == want && sddl && *sddl == wanted_sacl;
}

// The explicit ACEs of `dacl`, in order (DWORD-aligned storage, as an ACL must be): with an
// unprotected DACL the system derives the inherited ones from the folder, and a copy of the
// recorded ones would stand beside them.
Result<std::vector<DWORD>> explicit_only(PACL dacl) {
    std::vector<DWORD> storage((dacl->AclSize + sizeof(DWORD) - 1) / sizeof(DWORD));
    auto* copy = reinterpret_cast<PACL>(storage.data());
    if (!InitializeAcl(copy, dacl->AclSize, dacl->AclRevision)) {
        return fail("InitializeAcl: " + win_error_text(GetLastError()));
    }
    for (DWORD i = 0; i < dacl->AceCount; ++i) {
        void* ace = nullptr;
        if (!GetAce(dacl, i, &ace)) {
            return fail("cannot read ACE " + std::to_string(i) + ": " +
                        win_error_text(GetLastError()));
        }
        const auto* header = static_cast<const ACE_HEADER*>(ace);
        if ((header->AceFlags & INHERITED_ACE) == 0 &&
            !AddAce(copy, dacl->AclRevision, MAXDWORD, ace, header->AceSize)) {
            return fail("cannot copy ACE " + std::to_string(i) + ": " +
                        win_error_text(GetLastError()));
        }
    }
    return storage;
}

}  // namespace

Result<FileSecurity> read_file_security(const fs::path& file) {
    const std::string shown = path_to_utf8(file);
    ThreadPrivileges privileges({SE_SECURITY_NAME});
    const bool with_sacl = privileges.held(SE_SECURITY_NAME);
    auto handle = open_file(file, READ_CONTROL | (with_sacl ? ACCESS_SYSTEM_SECURITY : 0));
    if (!handle) {
        return handle.error();
    }
    const SECURITY_INFORMATION parts = kBaseParts | (with_sacl ? SACL_SECURITY_INFORMATION : 0);
    auto descriptor = read_descriptor(handle->get(), parts, shown);
    if (!descriptor) {
        return descriptor.error();
    }
    auto sddl = acl::descriptor_to_sddl(descriptor->get(), parts);
    if (!sddl) {
        return fail(shown + ": " + sddl.error().message);
    }
    FileSecurity security;
    security.descriptor = std::move(sddl.value());
    return security;
}

Status apply_file_security(const fs::path& file, const FileSecurity& wanted) {
    const std::string shown = path_to_utf8(file);
    if (wanted.descriptor.empty()) {
        return fail(shown + ": the saved security is a POSIX owner and mode, not a descriptor");
    }
    PSECURITY_DESCRIPTOR raw = nullptr;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(to_wide(wanted.descriptor).c_str(),
                                                              SDDL_REVISION_1, &raw, nullptr)) {
        return fail(shown + ": the saved security descriptor does not parse as SDDL: " +
                    win_error_text(GetLastError()));
    }
    acl::LocalPtr<void> saved(raw);
    auto want = essentials(raw);
    if (!want) {
        return fail(shown + ": the saved security descriptor: " + want.error().message);
    }
    const std::string wanted_sacl = sacl_text(wanted.descriptor);

    ThreadPrivileges privileges({SE_RESTORE_NAME, SE_SECURITY_NAME});
    const bool with_sacl = !wanted_sacl.empty();
    if (with_sacl && !privileges.held(SE_SECURITY_NAME)) {
        return fail(shown +
                    ": its saved SACL can only be put back with SeSecurityPrivilege (run as "
                    "LocalSystem or an elevated administrator)");
    }
    const DWORD sacl_access = with_sacl ? ACCESS_SYSTEM_SECURITY : 0;
    {
        // Read first: what already matches needs no right to change it.
        auto reading = open_file(file, READ_CONTROL | sacl_access);
        if (!reading) {
            return reading.error();
        }
        auto before = matches(reading->get(), *want, wanted_sacl, shown);
        if (!before) {
            return before.error();
        }
        if (*before) {
            return {};
        }
    }
    auto handle = open_file(file, READ_CONTROL | WRITE_DAC | WRITE_OWNER | sacl_access);
    if (!handle) {
        return handle.error();
    }

    BOOL present = FALSE;
    BOOL defaulted = FALSE;
    PSID owner = nullptr;
    PSID group = nullptr;
    PACL dacl = nullptr;
    PACL sacl = nullptr;
    GetSecurityDescriptorOwner(raw, &owner, &defaulted);
    GetSecurityDescriptorGroup(raw, &group, &defaulted);
    GetSecurityDescriptorDacl(raw, &present, &dacl, &defaulted);
    if (!present) {
        dacl = nullptr;
    }
    BOOL sacl_present = FALSE;
    GetSecurityDescriptorSacl(raw, &sacl_present, &sacl, &defaulted);
    SECURITY_DESCRIPTOR_CONTROL control = 0;
    DWORD revision = 0;
    GetSecurityDescriptorControl(raw, &control, &revision);
    const bool protected_dacl = (control & SE_DACL_PROTECTED) != 0;
    std::vector<DWORD> explicit_storage;
    if (dacl != nullptr && !protected_dacl) {
        auto explicit_aces = explicit_only(dacl);
        if (!explicit_aces) {
            return fail(shown + ": the saved DACL: " + explicit_aces.error().message);
        }
        explicit_storage = std::move(explicit_aces).value();
        dacl = reinterpret_cast<PACL>(explicit_storage.data());
    }
    SECURITY_INFORMATION info =
        kBaseParts | (protected_dacl ? PROTECTED_DACL_SECURITY_INFORMATION
                                     : UNPROTECTED_DACL_SECURITY_INFORMATION);
    if (with_sacl) {
        info |= SACL_SECURITY_INFORMATION |
                ((control & SE_SACL_PROTECTED) != 0 ? PROTECTED_SACL_SECURITY_INFORMATION
                                                    : UNPROTECTED_SACL_SECURITY_INFORMATION);
    }
    const DWORD status = SetSecurityInfo(handle->get(), SE_FILE_OBJECT, info, owner, group, dacl,
                                         sacl_present ? sacl : nullptr);
    if (status != ERROR_SUCCESS) {
        const bool privilege = status == ERROR_INVALID_OWNER || status == ERROR_ACCESS_DENIED ||
                               status == ERROR_PRIVILEGE_NOT_HELD;
        return fail(shown + ": cannot give it back its security descriptor" +
                    (privilege ? std::string(" (making another account the owner needs "
                                             "SeRestorePrivilege: run as LocalSystem or an "
                                             "elevated administrator)")
                               : std::string()) +
                    ": " + win_error_text(status));
    }
    auto after = matches(handle->get(), *want, wanted_sacl, shown);
    if (!after) {
        return after.error();
    }
    if (!*after) {
        return fail(shown +
                    ": the system accepted its saved security descriptor but did not keep it "
                    "(Wine keeps no descriptors on files)");
    }
    return {};
}

}  // namespace psguard
