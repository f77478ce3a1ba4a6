// Windows side of the repair primitives. The new DACL is the old one with one ACE inserted
// where Windows itself would put an explicit ACE (after the explicit ones, before the inherited
// ones), copied ACE by ACE with AddAce so that nothing else changes; SetNamedSecurityInfoW then
// writes it and propagates the inheritable ACE to the folder's subtree, as Explorer does.
#include <windows.h>
// After windows.h:
#include <aclapi.h>
#include <sddl.h>

#include <vector>

#include "acl/account_resolver.hpp"
#include "acl/acl_binary.hpp"
#include "acl/acl_repair.hpp"
#include "acl/win_security.hpp"
#include "core/utf8_path.hpp"
#include "platform/file_links.hpp"
#include "platform/win_text.hpp"

namespace psguard {
namespace fs = std::filesystem;

namespace {

struct Current {
    acl::LocalPtr<void> descriptor;
    PACL dacl = nullptr;  // points into `descriptor`; nullptr: no DACL
    bool protected_dacl = false;
};

Status refuse_link(const fs::path& path) {
    auto entry = inspect_entry(path);
    if (!entry) {
        return entry.error();
    }
    if (entry->link != LinkKind::none) {
        return fail(path_to_utf8(path) + ": is a " + to_string(entry->link) +
                    "; psguard does not change permissions through links");
    }
    return {};
}

Result<Current> read_dacl(const std::wstring& wide, const std::string& shown) {
    Current current;
    PSECURITY_DESCRIPTOR raw = nullptr;
    const DWORD status =
        GetNamedSecurityInfoW(wide.c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr,
                              nullptr, &current.dacl, nullptr, &raw);
    if (status != ERROR_SUCCESS) {
        return fail(shown + ": cannot read its permissions: " + win_error_text(status));
    }
    current.descriptor.reset(raw);
    SECURITY_DESCRIPTOR_CONTROL control = 0;
    DWORD revision = 0;
    if (GetSecurityDescriptorControl(raw, &control, &revision)) {
        current.protected_dacl = (control & SE_DACL_PROTECTED) != 0;
    }
    return current;
}

Status write_dacl(const std::wstring& wide, const std::string& shown, PACL dacl,
                  bool protected_dacl, const char* what) {
    const SECURITY_INFORMATION info =
        DACL_SECURITY_INFORMATION | (protected_dacl ? PROTECTED_DACL_SECURITY_INFORMATION
                                                    : UNPROTECTED_DACL_SECURITY_INFORMATION);
    const DWORD status = SetNamedSecurityInfoW(const_cast<wchar_t*>(wide.c_str()), SE_FILE_OBJECT,
                                               info, nullptr, nullptr, dacl, nullptr);
    if (status == ERROR_ACCESS_DENIED || status == ERROR_PRIVILEGE_NOT_HELD) {
        return fail(shown + ": psguard may not " + what +
                    " (it needs \"change permissions\" on the folder, e.g. as LocalSystem or "
                    "an administrator): " +
                    win_error_text(status));
    }
    if (status != ERROR_SUCCESS) {
        return fail(shown + ": cannot " + what + ": " + win_error_text(status));
    }
    return {};
}

constexpr BYTE kInheritance = OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE;

}  // namespace

Result<std::string> snapshot_descriptor(const fs::path& path) {
    if (auto ok = refuse_link(path); !ok) {
        return ok.error();
    }
    const std::string shown = path_to_utf8(path);
    const std::wstring wide = acl::security_api_path(path.native());
    auto current = read_dacl(wide, shown);
    if (!current) {
        return current.error();
    }
    auto sddl = acl::descriptor_to_sddl(current->descriptor.get(), DACL_SECURITY_INFORMATION);
    if (!sddl) {
        return fail(shown + ": " + sddl.error().message);
    }
    return sddl;
}

Status grant_modify(const fs::path& path, const std::string& account) {
    const ResolvedAccount who = resolve_account(account, /*with_groups=*/false);
    if (!who.resolved || !who.token) {
        return fail("cannot grant rights to \"" + account + "\": " + who.reason);
    }
    if (auto ok = refuse_link(path); !ok) {
        return ok;
    }
    const std::string shown = path_to_utf8(path);
    const std::wstring wide = acl::security_api_path(path.native());
    auto current = read_dacl(wide, shown);
    if (!current) {
        return current.error();
    }
    if (current->dacl == nullptr) {
        return fail(shown +
                    ": has no DACL, so everyone already has every right; adding an ACE "
                    "would take rights away from everyone else, so nothing was changed");
    }
    auto model = acl::parse_acl(reinterpret_cast<const unsigned char*>(current->dacl),
                                current->dacl->AclSize);
    if (!model) {
        return fail(shown + ": " + model.error().message);
    }
    auto sid = who.token->user.to_bytes();
    const acl::Ace wanted{acl::AceKind::allow, who.token->user, acl::rights::modify, kInheritance,
                          ACCESS_ALLOWED_ACE_TYPE};
    for (const auto& ace : model->aces) {
        if (ace == wanted) {
            return {};  // already there, explicit and identical: nothing to do
        }
    }
    const std::size_t position = acl::explicit_insert_position(model.value());

    const DWORD new_ace_size =
        static_cast<DWORD>(sizeof(ACCESS_ALLOWED_ACE) - sizeof(DWORD) + sid.size());
    const DWORD size = current->dacl->AclSize + new_ace_size;
    if (size > 0xFFFC) {
        return fail(shown + ": the DACL is too large to add an ACE to");
    }
    // DWORD-aligned, as ACLs must be.
    std::vector<DWORD> storage((size + sizeof(DWORD) - 1) / sizeof(DWORD));
    auto* dacl = reinterpret_cast<PACL>(storage.data());
    const DWORD revision =
        current->dacl->AclRevision > ACL_REVISION ? current->dacl->AclRevision : ACL_REVISION;
    if (!InitializeAcl(dacl, size, revision)) {
        return fail(shown + ": InitializeAcl: " + win_error_text(GetLastError()));
    }
    for (DWORD i = 0; i <= current->dacl->AceCount; ++i) {
        if (i == position &&
            !AddAccessAllowedAceEx(dacl, revision, kInheritance, acl::rights::modify, sid.data())) {
            return fail(shown + ": AddAccessAllowedAceEx: " + win_error_text(GetLastError()));
        }
        if (i == current->dacl->AceCount) {
            break;
        }
        void* ace = nullptr;
        if (!GetAce(current->dacl, i, &ace) ||
            !AddAce(dacl, revision, MAXDWORD, ace, static_cast<const ACE_HEADER*>(ace)->AceSize)) {
            return fail(shown + ": cannot copy ACE " + std::to_string(i) + ": " +
                        win_error_text(GetLastError()));
        }
    }
    if (auto written =
            write_dacl(wide, shown, dacl, current->protected_dacl, "change its permissions");
        !written) {
        return written;
    }
    // Read back: some systems accept a DACL and do not keep it (Wine).
    auto after = read_dacl(wide, shown);
    if (!after) {
        return after.error();
    }
    if (after->dacl != nullptr) {
        auto kept = acl::parse_acl(reinterpret_cast<const unsigned char*>(after->dacl),
                                   after->dacl->AclSize);
        if (kept) {
            for (const auto& ace : kept->aces) {
                if (ace == wanted) {
                    return {};
                }
            }
        }
    }
    return fail(shown + ": the system accepted the new DACL but the ACE for " + who.display +
                " is not in place afterwards (this happens under Wine, which keeps no DACLs)");
}

Status restore_descriptor(const fs::path& path, const std::string& snapshot) {
    if (!snapshot.starts_with("D:")) {
        return fail("not a DACL snapshot taken by psguard (expected SDDL starting with \"D:\")");
    }
    const std::wstring text = to_wide(snapshot);
    PSECURITY_DESCRIPTOR raw = nullptr;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(text.c_str(), SDDL_REVISION_1, &raw,
                                                              nullptr)) {
        return fail("the saved DACL does not parse as SDDL: " + win_error_text(GetLastError()));
    }
    acl::LocalPtr<void> saved(raw);
    BOOL present = FALSE;
    BOOL defaulted = FALSE;
    PACL dacl = nullptr;
    if (!GetSecurityDescriptorDacl(raw, &present, &dacl, &defaulted)) {
        return fail("the saved descriptor has no readable DACL: " + win_error_text(GetLastError()));
    }
    SECURITY_DESCRIPTOR_CONTROL control = 0;
    DWORD revision = 0;
    GetSecurityDescriptorControl(raw, &control, &revision);
    if (auto ok = refuse_link(path); !ok) {
        return ok;
    }
    const std::wstring wide = acl::security_api_path(path.native());
    return write_dacl(wide, path_to_utf8(path), present ? dacl : nullptr,
                      (control & SE_DACL_PROTECTED) != 0, "restore its permissions");
}

}  // namespace psguard
