// SDDL -> model, for tests (Wine keeps no DACL on disk, so descriptors are built from SDDL) and
// for diagnostics ("psguard explain-acl" style output).
#include <windows.h>
// After windows.h:
#include <sddl.h>

#include "acl/win_security.hpp"
#include "platform/win_text.hpp"

namespace psguard::acl {

Result<SecurityDescriptor> descriptor_from_sddl(std::string_view sddl) {
    const std::wstring wide = to_wide(sddl);
    PSECURITY_DESCRIPTOR raw = nullptr;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(wide.c_str(), SDDL_REVISION_1, &raw,
                                                              nullptr)) {
        return fail("not a valid SDDL security descriptor: " + win_error_text(GetLastError()));
    }
    LocalPtr<void> owner(raw);
    return descriptor_from_native(raw);
}

}  // namespace psguard::acl
