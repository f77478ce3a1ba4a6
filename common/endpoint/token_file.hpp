// The bearer token of POST /v1/check (and of every route when bound beyond loopback). It lives
// in a file only administrators can read (platform/private_file.hpp: on POSIX mode 0600 owned by
// root or by psguard's own user; on Windows a DACL that lets no one but SYSTEM and
// Administrators read it). Creating it: token_file_posix.cpp, token_file_windows.cpp.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace psguard {

inline constexpr std::size_t kMinTokenChars = 16;
inline constexpr std::size_t kMaxTokenChars = 1024;
inline constexpr std::size_t kGeneratedTokenBytes = 32;  // 64 hex characters

// Reads the token (the first line; surrounding blanks dropped), refusing a file that others
// than administrators may read (read_private_file), with a message that says how to fix it.
Result<std::string> read_token_file(const std::filesystem::path& file);

// Writes a new random token (32 bytes from the system's CSPRNG, as hex) to `file` with
// admin-only permissions, replacing an existing token atomically; returns the token.
Result<std::string> create_token_file(const std::filesystem::path& file);

// The token of `file`, created first (as create_token_file) when the file does not exist yet:
// the endpoint has a token from its first start on, which an administrator reads from the file.
Result<std::string> ensure_token_file(const std::filesystem::path& file);

// What the endpoint would say of `file` at start, without changing anything (for
// `validate-config`): an existing file is read and judged as read_token_file does; a missing one
// must be one psguard can create, in a folder that exists or is `state_dir` (created first).
Status check_token_file(const std::filesystem::path& file, const std::filesystem::path& state_dir);

// Compares in time independent of where the two differ (a length difference is not hidden:
// the length of a token is no secret).
bool tokens_equal(std::string_view expected, std::string_view presented);

// Portable parts shared by the two platform files.
Result<std::string> parse_token_text(std::string_view content, const std::filesystem::path& file);
std::string hex_encode(std::span<const unsigned char> bytes);

}  // namespace psguard
