// One archive file of named entries, through a library: tar.gz with libarchive on POSIX
// (archive_posix.cpp), zip with zlib's minizip on Windows (archive_windows.cpp). Written whole,
// read back whole (psguard collect checks what it wrote; the tests open it the same way).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace psguard {

struct ArchiveEntry {
    std::string name;  // '/'-separated, relative
    std::string bytes;
};

// ".tar.gz" or ".zip": what write_archive makes on this platform.
std::string_view archive_extension();

// Replaces `file`; entries in order, regular files readable by the owner.
Status write_archive(const std::filesystem::path& file, const std::vector<ArchiveEntry>& entries);

Result<std::vector<ArchiveEntry>> read_archive(const std::filesystem::path& file);

}  // namespace psguard
