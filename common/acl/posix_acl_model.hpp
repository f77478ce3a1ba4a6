// A portable model of a POSIX.1e access ACL (what Linux keeps in system.posix_acl_access, or
// what the mode bits amount to when there is none) and the POSIX.1e access-check algorithm for
// one account, as acl(5) describes it:
//   1. the caller owns the file: the ACL_USER_OBJ entry decides;
//   2. an ACL_USER entry names the caller: that entry, limited by ACL_MASK, decides;
//   3. the owning group or an ACL_GROUP entry matches one of the caller's groups: a request is
//      granted when one of those entries, limited by ACL_MASK, holds all of it, and refused
//      otherwise (one request's permissions are not gathered from two groups);
//   4. otherwise ACL_OTHER decides.
// The kernel makes one request per operation: listing a folder asks for read, traversing it for
// execute, creating or deleting an entry for write and execute together. So on a folder, write
// counts only from an entry that also grants execute.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "acl/acl_model.hpp"

namespace psguard::acl {

using PosixPerms = std::uint8_t;
namespace posix_perm {
inline constexpr PosixPerms read = 4;
inline constexpr PosixPerms write = 2;
inline constexpr PosixPerms execute = 1;
inline constexpr PosixPerms all = 7;
}  // namespace posix_perm

enum class PosixTag { user_obj, user, group_obj, group, mask, other };

struct PosixEntry {
    PosixTag tag = PosixTag::other;
    std::uint32_t id = 0;  // uid for `user`, gid for `group`; unused otherwise
    PosixPerms perms = 0;
    friend bool operator==(const PosixEntry&, const PosixEntry&) = default;
};

struct PosixAcl {
    std::uint32_t owner_uid = 0;
    std::uint32_t owner_gid = 0;
    bool is_directory = true;
    std::vector<PosixEntry>
        entries;  // libacl's order: user_obj, users, group_obj, groups, mask, other

    // The three entries equivalent to permission bits (mode & 0777), as Linux reports a file
    // without an extended ACL.
    static PosixAcl from_mode(std::uint32_t owner_uid, std::uint32_t owner_gid, unsigned mode,
                              bool is_directory = true);
    // More than the three base entries.
    bool extended() const { return entries.size() > 3; }
    friend bool operator==(const PosixAcl&, const PosixAcl&) = default;
};

struct PosixIdentity {
    std::uint32_t uid = 0;
    std::vector<std::uint32_t> gids;  // primary and supplementary
};

// The entry that decided, when it did not give everything that was required.
struct PosixDecider {
    std::size_t index = 0;  // position in PosixAcl::entries
    PosixEntry entry;       // the matched entry, or the mask entry when `by_mask`
    bool by_mask = false;   // the matched entry had the permission, ACL_MASK removed it
    friend bool operator==(const PosixDecider&, const PosixDecider&) = default;
};

struct PosixCheck {
    PosixPerms required = 0;
    PosixPerms granted = 0;  // what the deciding entry (or entries: group class) allow
    PosixPerms missing = 0;
    std::optional<PosixDecider> denied_by;  // set whenever something is missing
    bool superuser = false;                 // uid 0: permission checks are bypassed
    bool ok() const { return missing == 0; }
};

PosixCheck check_posix_access(const PosixAcl& acl, const PosixIdentity& who, PosixPerms required);

// The POSIX permissions a folder needs for Windows-style rights: reading its entries needs
// read; creating, writing or deleting entries needs write and execute; traversing needs
// execute. Rights with no POSIX counterpart on the folder itself (read attributes/permissions,
// synchronize; delete, which is decided by the parent folder; change permissions and take
// ownership, which only the owner has) add nothing.
PosixPerms posix_perms_for(AccessMask windows_rights);

// "read", "write", "execute / traverse", in that order.
std::vector<std::string> posix_perm_names(PosixPerms perms);

// "rwx", "r-x", ...
std::string posix_perm_text(PosixPerms perms);

}  // namespace psguard::acl
