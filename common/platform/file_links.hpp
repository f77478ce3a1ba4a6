// Platform seam for directory entries that redirect elsewhere: symlinks, junctions (mount
// points) and other reparse points. Everything here looks at an entry itself and never
// follows it; psguard decides separately whether a link may be read through (see the storage
// root allow-list in PathsConfig). POSIX: file_links_posix.cpp, Windows: file_links_windows.cpp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace psguard {

class OpenDirectory;  // platform/directory_handle.hpp

enum class LinkKind {
    none,
    symlink,              // POSIX symlink; Windows IO_REPARSE_TAG_SYMLINK
    junction,             // Windows IO_REPARSE_TAG_MOUNT_POINT
    other_reparse_point,  // any other reparse tag (dedup, cloud files, WOF, ...): not followed
};

// "symlink", "junction", "reparse point", "" for none: for messages.
inline const char* to_string(LinkKind kind) {
    switch (kind) {
        case LinkKind::none:
            return "";
        case LinkKind::symlink:
            return "symlink";
        case LinkKind::junction:
            return "junction";
        case LinkKind::other_reparse_point:
            return "reparse point";
    }
    return "reparse point";
}

// What one entry is. A link (link != none) is neither a directory nor a regular file, whatever
// it points to or however Windows flags it: callers decide on links before anything else.
struct EntryInfo {
    LinkKind link = LinkKind::none;
    bool is_directory = false;
    bool is_regular_file = false;
    std::uint64_t size = 0;  // regular files only
};

// The entry itself, never what it points to; an error when it does not exist.
Result<EntryInfo> inspect_entry(const std::filesystem::path& path);

// Like inspect_entry, but a missing entry (or a missing parent folder) is nullopt, not an error.
Result<std::optional<EntryInfo>> probe_entry(const std::filesystem::path& path);

// probe_entry for the entry `name` (one file name: no separator, not "." or "..") inside an open
// folder, looked up relative to it (POSIX: fstatat without following; Windows: by the joined
// path). Same answers; messages name the whole path (dir.child_path(name)).
Result<std::optional<EntryInfo>> probe_entry_at(const OpenDirectory& dir,
                                                const std::filesystem::path& name);

// Where a symlink or junction points: absolute and lexically normal (a relative symlink is
// resolved against the link's folder). Nothing is resolved beyond the link itself, so the
// target may not exist. An error for anything that is not a symlink or junction.
Result<std::filesystem::path> link_target(const std::filesystem::path& path);

// The whole content of a regular file, at most max_bytes. Never follows a link: the file is
// opened without following (O_NOFOLLOW; FILE_FLAG_OPEN_REPARSE_POINT) and must be a regular
// file; on Windows it is opened sharing read, write and delete so that the agent is never
// blocked. Errors: "file is 9437184 bytes, over the 8388608-byte cap", "is a symlink; not
// followed", the operating system's reason (e.g. a sharing violation on a locked file).
Result<std::string> read_file_nofollow(const std::filesystem::path& path, std::uint64_t max_bytes);

// read_file_nofollow for the file `name` (one file name) inside an open folder, opened relative
// to it (POSIX: openat with O_NOFOLLOW; Windows: by the joined path). Same answers and messages
// (which, as read_file_nofollow's, do not name the file: the caller does).
Result<std::string> read_file_nofollow_at(const OpenDirectory& dir,
                                          const std::filesystem::path& name,
                                          std::uint64_t max_bytes);

// A single file name: not empty, no root or separator, not "." or "..". The *_at functions
// (here and in directory_handle.hpp) refuse anything else, so that nothing is looked up outside
// the open folder or through a link on the way.
bool is_single_file_name(const std::filesystem::path& name);

// "<path>: not a single file name": how the *_at functions refuse any other name.
std::string not_single_name_message(const std::filesystem::path& path);

// "file is <size> bytes, over the <max_bytes>-byte cap": how every capped read refuses a file.
std::string over_cap_message(std::uint64_t size, std::uint64_t max_bytes);

// True when two file names (single components) name the same entry: case-insensitive on
// Windows (ordinal, as NTFS compares), byte-exact on POSIX.
bool same_file_name(const std::filesystem::path& a, const std::filesystem::path& b);

// The non-empty components of the lexically normal path (the root name and directory first).
// (This and the two below: file_links.cpp, portable.)
std::vector<std::filesystem::path> path_components(const std::filesystem::path& path);

// `path` is `root` or lies below it, component by component after lexical normalisation, names
// compared by same_file_name. Nothing is resolved; an empty root contains nothing.
bool path_within(const std::filesystem::path& root, const std::filesystem::path& path);

// Both name the same entry by the same rule.
bool same_path(const std::filesystem::path& a, const std::filesystem::path& b);

}  // namespace psguard
