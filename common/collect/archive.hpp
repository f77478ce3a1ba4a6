// One zip file of named entries, through zlib's minizip on every platform (zip_file_*.cpp opens
// the file). Written whole, read back whole (psguard collect checks what it wrote; the tests open
// it the same way). Not libarchive: it would load libxml2, ICU and five compression libraries
// into the agent, which never writes an archive (1.5 MB of its idle memory, docs/PERFORMANCE.md).
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

// ".zip": what write_archive makes.
std::string_view archive_extension();

// Replaces `file`; entries in order, regular files readable by the owner.
Status write_archive(const std::filesystem::path& file, const std::vector<ArchiveEntry>& entries);

Result<std::vector<ArchiveEntry>> read_archive(const std::filesystem::path& file);

}  // namespace psguard
