// Files only administrators may read, and nobody else may replace: the endpoint's bearer token,
// its TLS certificate, key and client CAs, the NS password, and any other secret psguard reads
// from disk. One rule for all of them, checked on the opened file so that the file judged is the
// file read:
// - POSIX: a regular file with no group or other permission bits (chmod 600), owned by root or
//   by psguard's own user (any other owner could replace the secret);
// - Windows: no allow entry that grants read (or WRITE_DAC / WRITE_OWNER) to anyone but SYSTEM,
//   BUILTIN\Administrators and the account psguard runs as (SYSTEM for the service; an
//   administrator's own account for `psguard status`); deny and inherit-only entries are
//   ignored, a file without a DACL counts as readable by everyone.
// A refusal names the file and the command that fixes it ("run: chmod 600 '...'",
// "run: icacls ..."). POSIX: private_file_posix.cpp, Windows: private_file_windows.cpp.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace psguard {

// The whole file, refused as above or when larger than `max_bytes`. `what` names the secret in
// messages: "token", "password", "certificate", "key".
Result<std::string> read_private_file(const std::filesystem::path& file, std::string_view what,
                                      std::size_t max_bytes);

#ifdef _WIN32
// Who besides SYSTEM, Administrators and psguard's own account may read (or re-permission) an
// object with this security descriptor, as text; empty when no one. The walk read_private_file
// does on a file's DACL, exposed so that it is testable where files keep no DACL (Wine).
Result<std::string> other_private_readers(const std::wstring& sddl);
#endif

// Portable part: "the token file is larger than 4 KiB".
std::string too_large_text(const std::filesystem::path& file, std::string_view what,
                           std::size_t max_bytes);

}  // namespace psguard
