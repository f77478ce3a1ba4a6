// SHA-256 of a file, read without following links: the journal records it before a file is
// moved, and restore and crash recovery prove with it that nothing changed on the way.
// POSIX: OpenSSL's EVP; Windows: CNG (BCrypt).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace psguard {

struct FileDigest {
    std::string sha256;  // lower-case hex
    std::uint64_t size = 0;
};

Result<FileDigest> sha256_file(const std::filesystem::path& file);

std::string sha256_hex(std::string_view bytes);

}  // namespace psguard
