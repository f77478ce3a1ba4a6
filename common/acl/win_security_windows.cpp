// Native Windows security descriptors -> the portable model. The ACL bytes are parsed by the
// portable acl_binary code (bounds-checked, tested everywhere) rather than walked with GetAce.
#include <windows.h>
// After windows.h:
#include <sddl.h>

#include "acl/acl_binary.hpp"
#include "acl/win_security.hpp"
#include "platform/win_text.hpp"

namespace psguard::acl {

Result<Sid> sid_from_native(PSID sid) {
    if (sid == nullptr || !IsValidSid(sid)) {
        return fail("invalid SID");
    }
    return Sid::from_bytes(static_cast<const unsigned char*>(sid), GetLengthSid(sid));
}

Result<SecurityDescriptor> descriptor_from_native(PSECURITY_DESCRIPTOR descriptor) {
    if (descriptor == nullptr || !IsValidSecurityDescriptor(descriptor)) {
        return fail("invalid security descriptor");
    }
    SecurityDescriptor model;
    PSID owner = nullptr;
    PSID group = nullptr;
    BOOL defaulted = FALSE;
    if (GetSecurityDescriptorOwner(descriptor, &owner, &defaulted) && owner != nullptr) {
        auto sid = sid_from_native(owner);
        if (!sid) {
            return fail("owner: " + sid.error().message);
        }
        model.owner = std::move(sid.value());
    }
    if (GetSecurityDescriptorGroup(descriptor, &group, &defaulted) && group != nullptr) {
        auto sid = sid_from_native(group);
        if (!sid) {
            return fail("group: " + sid.error().message);
        }
        model.group = std::move(sid.value());
    }
    BOOL present = FALSE;
    PACL dacl = nullptr;
    if (!GetSecurityDescriptorDacl(descriptor, &present, &dacl, &defaulted)) {
        return fail("cannot read the DACL: " + win_error_text(GetLastError()));
    }
    if (present && dacl != nullptr) {  // present with a NULL pointer is a NULL DACL: no DACL
        auto parsed = parse_acl(reinterpret_cast<const unsigned char*>(dacl), dacl->AclSize);
        if (!parsed) {
            return fail("DACL: " + parsed.error().message);
        }
        model.dacl = std::move(parsed.value());
    }
    SECURITY_DESCRIPTOR_CONTROL control = 0;
    DWORD revision = 0;
    if (GetSecurityDescriptorControl(descriptor, &control, &revision)) {
        model.dacl_protected = (control & SE_DACL_PROTECTED) != 0;
    }
    return model;
}

Result<std::string> descriptor_to_sddl(PSECURITY_DESCRIPTOR descriptor, SECURITY_INFORMATION what) {
    LPWSTR text = nullptr;
    if (!ConvertSecurityDescriptorToStringSecurityDescriptorW(descriptor, SDDL_REVISION_1, what,
                                                              &text, nullptr)) {
        return fail("cannot express the security descriptor as SDDL: " +
                    win_error_text(GetLastError()));
    }
    LocalPtr<wchar_t> owner(text);
    return to_utf8(text);
}

std::wstring security_api_path(const std::wstring& path) {
    std::wstring text = path;
    for (wchar_t& c : text) {
        if (c == L'/') {
            c = L'\\';
        }
    }
    const bool verbatim = text.rfind(L"\\\\?\\", 0) == 0;
    const bool absolute = text.size() > 2 && (text[1] == L':' || text.rfind(L"\\\\", 0) == 0);
    if (!verbatim && absolute && text.size() >= MAX_PATH - 12) {
        text = text.rfind(L"\\\\", 0) == 0 ? L"\\\\?\\UNC\\" + text.substr(2) : L"\\\\?\\" + text;
    }
    while (text.size() > 3 && text.back() == L'\\') {
        text.pop_back();
    }
    return text;
}

}  // namespace psguard::acl
