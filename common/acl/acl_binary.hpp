// The self-relative binary ACL (winnt.h ACL + ACE headers) read into the model, and back:
//   ACL:  BYTE AclRevision; BYTE Sbz1; WORD AclSize; WORD AceCount; WORD Sbz2;   (8 bytes)
//   ACE:  BYTE AceType; BYTE AceFlags; WORD AceSize; DWORD Mask; SID ...          (allow/deny)
// Portable and bounds-checked, so that the Windows adapter is tested anywhere and a damaged ACL
// is an error rather than an overread. Little-endian, as Windows is.
#pragma once

#include <cstddef>
#include <vector>

#include "acl/acl_model.hpp"
#include "core/result.hpp"

namespace psguard::acl {

// Every ACE is kept in order; types other than ACCESS_ALLOWED (0) and ACCESS_DENIED (1) become
// AceKind::other, with their trustee when their layout puts the SID right after the mask
// (the callback types 9 and 10).
Result<Dacl> parse_acl(const unsigned char* data, std::size_t size);

// ACL_REVISION (2) bytes for allow/deny ACEs; an error for AceKind::other.
Result<std::vector<unsigned char>> serialize_acl(const Dacl& dacl);

// Where a new explicit ACE goes so that the order stays as Windows writes it: after the
// explicit ACEs, before the first inherited one.
std::size_t explicit_insert_position(const Dacl& dacl);

}  // namespace psguard::acl
