// Platform seam: a folder held open, so that the entries inside it are looked up by their name
// alone, relative to the folder, instead of by a whole path that the kernel walks again, one
// component after another, on every call (the tree scanner looks up several names in each of
// 100,000 package folders). It also closes the window between checking a folder and reading
// inside it: what is read is inside the folder that was opened, even if the folder is renamed,
// or replaced by a link, in between. Never follows a link: a folder is opened only when it is a
// plain folder itself (the folders above it in a path given whole are resolved as usual).
//
// POSIX (directory_handle_posix.cpp, Linux): a descriptor opened with O_DIRECTORY | O_NOFOLLOW
// (O_PATH for a folder psguard may search but not list, so that it is walked as before); the
// lookups are openat/fstatat relative to it, and listing reads the same descriptor (getdents64).
// Windows (directory_handle_windows.cpp): only the path is kept, and every lookup joins it with
// the name and goes by the whole path, as before: the same answers, without the one-name
// lookups or the closed window there.
//
// The lookups inside an open folder (probe_entry_at, read_file_nofollow_at) are in
// file_links.hpp, next to their whole-path siblings.
#pragma once

#include <filesystem>
#include <optional>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "platform/file_links.hpp"
#include "platform/unique_fd.hpp"  // POSIX only

namespace psguard {

// A folder held open (POSIX: move-only, its descriptor closed on destruction). Its path names
// it in messages.
class OpenDirectory {
  public:
    // The path the folder was opened by (the parent's path joined with the name, for a child).
    const std::filesystem::path& path() const noexcept { return path_; }

    // The entry `name` (one file name) inside this folder, by the whole path: for messages.
    std::filesystem::path child_path(const std::filesystem::path& name) const {
        return path_ / name;
    }

#ifndef _WIN32
    // The descriptor, for the seam's own POSIX files; owned by this object.
    int fd() const noexcept {
        return fd_.get();
    }
#endif

  private:
    friend struct OpenDirectoryAccess;  // the seam's implementation files make and open them

#ifdef _WIN32
    explicit OpenDirectory(std::filesystem::path path) noexcept : path_(std::move(path)) {}
#else
    OpenDirectory(std::filesystem::path path, int fd) noexcept : path_(std::move(path)), fd_(fd) {}
#endif

    std::filesystem::path path_;
#ifndef _WIN32
    UniqueFd fd_;
#endif
};

// An entry asked for as a folder: what it is (as probe_entry describes it) and, when it is a
// plain folder (no link), the folder opened.
struct OpenedEntry {
    EntryInfo info;
    std::optional<OpenDirectory> dir;  // set exactly when info is a folder and not a link
};

// The folder at `path`, never following `path` itself when it is a link (a link comes back
// described and unopened). Missing (or a missing parent): nullopt, as probe_entry. Errors name
// the path: probe_entry's ("cannot inspect <path>: ...") or "cannot open <path>: <reason>".
Result<std::optional<OpenedEntry>> open_directory(const std::filesystem::path& path);

// The same for the entry `name` (one file name: no separator, not "." or "..") inside `parent`,
// looked up relative to it.
Result<std::optional<OpenedEntry>> open_directory_at(const OpenDirectory& parent,
                                                     const std::filesystem::path& name);

// The names in the folder (without "." and ".."), in the order the system gives them.
// Error: "cannot list <path>: <reason>".
Result<std::vector<std::filesystem::path>> list_directory(const OpenDirectory& dir);

// The same for the folder at `path`, looked up by its whole path (directory_handle.cpp,
// portable: std::filesystem).
Result<std::vector<std::filesystem::path>> list_folder_names(const std::filesystem::path& path);

// For the two seams (directory_handle.cpp, portable): the answer for an entry probed without
// following it, unless it is a plain folder (nullopt: the seam opens it, or says why it could
// not): the probe's error, nullopt when missing, or the entry described and not opened (a link,
// a file).
std::optional<Result<std::optional<OpenedEntry>>> answer_unless_plain_folder(
    const Result<std::optional<EntryInfo>>& probed);

}  // namespace psguard
