// Files that only administrators may read: the endpoint's bearer token, the NS password, and any
// other secret psguard reads from disk. One rule for all of them, checked on the file read:
// - POSIX: a regular file without group or other permission bits, owned by root or by psguard's
//   own user (any other owner could replace the secret);
// - Windows: no allow entry lets anyone but SYSTEM and Administrators read the file or change
//   its permissions (a file without a DACL counts as readable by everyone).
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
// messages: "token", "password".
Result<std::string> read_private_file(const std::filesystem::path& file, std::string_view what,
                                      std::size_t max_bytes);

#ifdef _WIN32
// Who besides SYSTEM and Administrators may read (or re-permission) an object with this security
// descriptor, as text; empty when no one. What read_private_file checks on the file's DACL,
// exposed so that the walk is testable where files keep no DACL (Wine).
Result<std::string> other_private_readers(const std::wstring& sddl);
#endif

// Portable part: "the token file is larger than 4 KiB".
std::string too_large_text(const std::filesystem::path& file, std::string_view what,
                           std::size_t max_bytes);

}  // namespace psguard
