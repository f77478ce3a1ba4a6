// Primitives of the opt-in ACL repair (`acl.repair`): save a folder's permissions, grant the
// credential account "modify" on it, and put the saved permissions back. The journal and the
// decision to repair live elsewhere; these only touch the one folder they are given.
// Windows: acl_repair_windows.cpp (SDDL of the DACL, SetNamedSecurityInfoW);
// POSIX: acl_repair_posix.cpp (libacl access and default ACLs).
#pragma once

#include <filesystem>
#include <string>

#include "core/result.hpp"

namespace psguard {

// The folder's permissions as text that restore_descriptor takes back.
// Windows: the DACL as SDDL ("D:PAI(A;OICI;FA;;;SY)..."), protected flag included.
// POSIX: two lines, "access=<ACL>" and "default=<ACL or empty>", entries in short text form with
// numeric ids ("user::rwx,user:65534:rwx,group::r-x,mask::rwx,other::r-x").
Result<std::string> snapshot_descriptor(const std::filesystem::path& path);

// Adds exactly one explicit allow entry for the account and changes nothing else:
// Windows: an ACE for the account's SID with psguard's "modify" (acl_model.hpp), inherited by
// subfolders and files (OI|CI), placed after the existing explicit ACEs; an existing explicit
// deny still wins, and is left alone. A folder without a DACL (everyone has every right) is
// refused, since giving it a DACL would take rights away from everyone else.
// POSIX: a named-user entry rwx in the access ACL and in the default ACL (created from the
// access ACL's base entries when there is none); the mask gains rwx so the entry is effective,
// which may also widen other named entries capped by the old mask.
// The change is read back; an error when it did not stick (Wine keeps no DACL) or when psguard
// lacks the privilege to make it. Links are refused.
Status grant_modify(const std::filesystem::path& path, const std::string& account);

// Puts back what snapshot_descriptor saved.
Status restore_descriptor(const std::filesystem::path& path, const std::string& snapshot);

}  // namespace psguard
