// Reads a secret (the NS password) from a file. Secrets never appear in the JSON configuration
// nor in any log line; only the file's path does.
#pragma once

#include <filesystem>
#include <string>

#include "core/result.hpp"

namespace psguard {

// The file holds the password on its first line (a trailing CR/LF is dropped). On Windows the
// file may instead hold "dpapi:" followed by base64 of a CryptProtectData blob made under the
// same machine (LocalMachine scope). Either way only administrators may read the file: it is
// refused as the endpoint's token file is (read_private_file), with the command that fixes it.
Result<std::string> read_secret_file(const std::filesystem::path& file);

}  // namespace psguard
