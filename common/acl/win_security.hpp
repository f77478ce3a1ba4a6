// Windows-only helpers shared by the ACL adapters: LocalFree'd buffers, and native security
// descriptors converted to the model (and SDDL, for tests and diagnostics). Empty elsewhere.
#pragma once

#ifdef _WIN32

#include <windows.h>

#include <memory>
#include <string>
#include <string_view>

#include "acl/acl_model.hpp"
#include "core/result.hpp"
#include "platform/win_handle.hpp"

namespace psguard::acl {

// Buffers the security APIs allocate for the caller (GetNamedSecurityInfoW,
// ConvertStringSidToSidW, ConvertString...SecurityDescriptor...W) go back through LocalFree.
using psguard::LocalPtr;

// A PSID as the model; the SID's own length bounds the read.
Result<Sid> sid_from_native(PSID sid);

// Owner, group, DACL (absent/NULL DACL -> nullopt) and the protected flag.
Result<SecurityDescriptor> descriptor_from_native(PSECURITY_DESCRIPTOR descriptor);

// SDDL ("O:BAG:SYD:PAI(A;OICI;FA;;;SY)...") -> the model, through
// ConvertStringSecurityDescriptorToSecurityDescriptorW (sddl_windows.cpp).
Result<SecurityDescriptor> descriptor_from_sddl(std::string_view sddl);

// The parts `what` selects (OWNER_/GROUP_/DACL_SECURITY_INFORMATION) as SDDL.
Result<std::string> descriptor_to_sddl(PSECURITY_DESCRIPTOR descriptor, SECURITY_INFORMATION what);

// The path as the security APIs want it: backslashes, and \\?\ beyond MAX_PATH.
std::wstring security_api_path(const std::wstring& path);

}  // namespace psguard::acl

#endif  // _WIN32
