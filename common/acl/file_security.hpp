// A file's owner and permissions, kept through the quarantine round trip: the healer journals
// them before it moves a file away and puts them back with the file (restore, crash rollback),
// so that a file copied across volumes does not come back owned by psguard with its default mode
// (which would recreate the very failure psguard exists to fix).
// POSIX: file_security_posix.cpp (owner, group, mode bits and the access ACL, with libacl);
// Windows: file_security_windows.cpp (the security descriptor: owner, group, DACL, and the SACL
// when psguard may read it, i.e. holds SeSecurityPrivilege).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.hpp"

namespace psguard {

struct FileSecurity {
    // POSIX
    std::uint32_t owner = 0;  // uid
    std::uint32_t group = 0;  // gid
    std::uint32_t mode = 0;   // permission and special bits (07777)
    std::string acl;  // extended access ACL, short text with numeric ids; empty: the mode says all
    // Windows: SDDL of the owner, group and DACL ("O:S-1-5-...G:...D:AI(A;ID;FA;;;SY)..."), plus
    // "S:..." when the SACL could be read.
    std::string descriptor;

    bool operator==(const FileSecurity&) const = default;
};

// Reads a regular file's security, never through a link.
Result<FileSecurity> read_file_security(const std::filesystem::path& file);

// Gives a regular file (never through a link) the security `wanted` describes, changing only
// what differs, and reads it back: an error when psguard may not (POSIX: not root; Windows: no
// SeRestorePrivilege to set another owner) or the change did not stick (a file system without
// ACLs; Wine keeps no descriptors). Windows: inherited ACEs come from the file's folder again,
// as they would for any file there; the explicit ACEs, owner, group and protection are checked.
Status apply_file_security(const std::filesystem::path& file, const FileSecurity& wanted);

// The journal's form: {"owner":65534,"group":65534,"mode":"0644","acl":"..."} or
// {"descriptor":"O:..."}.
nlohmann::json to_json(const FileSecurity& security);
Result<FileSecurity> file_security_from_json(const nlohmann::json& json);

}  // namespace psguard
