// Reads a secret (the NS password) from a file. Secrets never appear in the JSON configuration
// nor in any log line; only the file's path does.
#pragma once

#include <filesystem>
#include <string>

#include "core/result.hpp"

namespace psguard {

// The file holds the password on its first line (a trailing CR/LF is dropped). On Windows the
// file may instead hold "dpapi:" followed by base64 of a CryptProtectData blob made with
// `psguard protect-secret` under the same machine (LocalMachine scope).
Result<std::string> read_secret_file(const std::filesystem::path& file);

}  // namespace psguard
