// Durable file operations for psguard's own state (journal, history, quarantine): what must
// survive a crash or a power cut is flushed to disk before psguard goes on. POSIX:
// file_ops_posix.cpp (fsync, rename), Windows: file_ops_windows.cpp (FlushFileBuffers,
// MoveFileExW with MOVEFILE_WRITE_THROUGH).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "core/result.hpp"

namespace psguard {

// Appends `bytes` to `file` (created if missing) and flushes it to disk before returning. On
// failure (a full disk, say) the part already written is cut off again where possible.
Status append_durably(const std::filesystem::path& file, std::string_view bytes);

// Shortens `file` (never through a link) to `size` bytes and flushes it to disk.
Status truncate_durably(const std::filesystem::path& file, std::uint64_t size);

// Replaces `file` with `bytes` atomically: a reader sees the old or the new content, never a mix,
// even after a crash (temporary file, flush, rename over, flush the folder on POSIX).
Status write_atomically(const std::filesystem::path& file, std::string_view bytes);

enum class MoveResult { moved, other_volume };

// Renames `from` to `to` without following links and without replacing an existing `to`.
// `other_volume` when the two lie on different volumes (the caller then copies).
Result<MoveResult> rename_no_replace(const std::filesystem::path& from,
                                     const std::filesystem::path& to);

// Copies a regular file (never through a link) to a new file `to` and flushes it to disk.
Status copy_durably(const std::filesystem::path& from, const std::filesystem::path& to);

// Removes one regular file; refuses links and folders.
Status remove_regular_file(const std::filesystem::path& file);

// Flushes a folder's entries (a rename or a new file in it) to disk; a no-op on Windows, where
// MOVEFILE_WRITE_THROUGH already covers it.
Status sync_folder(const std::filesystem::path& folder);

}  // namespace psguard
