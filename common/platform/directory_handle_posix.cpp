// POSIX (Linux) side of the open-folder seam: open/openat with O_DIRECTORY | O_NOFOLLOW, and a
// listing with getdents64 on the held descriptor itself (no second descriptor, no DIR stream:
// opendir's open, fstat and fcntl per package folder were a third of the scan's system calls).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <utility>

#include "core/utf8_path.hpp"
#include "platform/directory_handle.hpp"
#include "platform/file_links.hpp"
#include "platform/posix_io.hpp"
#include "platform/unique_fd.hpp"

namespace psguard {
namespace fs = std::filesystem;

namespace {

constexpr int kOpenDirectoryFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
// A folder psguard may search but not read (execute without read permission) is held with
// O_PATH instead: the lookups inside it work as the whole-path ones did, and listing it fails
// with the same "Permission denied" as before.
constexpr int kSearchOnlyDirectoryFlags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

// openat as the seam opens folders: readable when allowed, search-only otherwise.
int open_directory_fd(int parent, const char* name) {
    int fd = ::openat(parent, name, kOpenDirectoryFlags);
    if (fd < 0 && errno == EACCES) {
        fd = ::openat(parent, name, kSearchOnlyDirectoryFlags);
    }
    return fd;
}

}  // namespace

// Makes OpenDirectory values and opens folders for them (the class's one friend).
struct OpenDirectoryAccess {
    // The answer once open/openat has run (`fd`, its errno `error`). When the open failed, the
    // entry is looked at again without following (`probe`) to tell a missing entry, a link or
    // something that is not a folder from a real failure, with probe_entry's words.
    template <typename Probe>
    static Result<std::optional<OpenedEntry>> answer(fs::path path, int fd, int error,
                                                     Probe probe) {
        if (fd >= 0) {
            EntryInfo info;
            info.is_directory = true;
            return std::optional<OpenedEntry>{
                OpenedEntry{info, OpenDirectory(std::move(path), fd)}};
        }
        if (error == ENOENT) {
            return std::optional<OpenedEntry>{};
        }
        if (auto answer = answer_unless_plain_folder(probe())) {
            return std::move(*answer);
        }
        // A plain folder that could not be opened (or one that replaced a link or a file while
        // this looked): the open's own reason.
        return errno_error("cannot open", path, error);
    }
};

Result<std::optional<OpenedEntry>> open_directory(const fs::path& path) {
    const int fd = open_directory_fd(AT_FDCWD, without_trailing_slashes(path).c_str());
    const int error = fd < 0 ? errno : 0;
    return OpenDirectoryAccess::answer(path, fd, error, [&path] { return probe_entry(path); });
}

Result<std::optional<OpenedEntry>> open_directory_at(const OpenDirectory& parent,
                                                     const fs::path& name) {
    fs::path path = parent.child_path(name);
    if (!is_single_file_name(name)) {
        return fail(not_single_name_message(path));
    }
    const int fd = open_directory_fd(parent.fd(), name.c_str());
    const int error = fd < 0 ? errno : 0;
    return OpenDirectoryAccess::answer(std::move(path), fd, error,
                                       [&parent, &name] { return probe_entry_at(parent, name); });
}

Result<std::vector<fs::path>> list_directory(const OpenDirectory& dir) {
    // From the start, on the held descriptor. A search-only (O_PATH) one cannot be read: the
    // folder is opened again for reading, which fails as listing it by path did.
    int fd = dir.fd();
    UniqueFd reopened;
    if (::lseek(fd, 0, SEEK_SET) < 0) {
        if (errno != EBADF) {
            return errno_error("cannot list", dir.path(), errno);
        }
        reopened.reset(::openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!reopened) {
            return errno_error("cannot list", dir.path(), errno);
        }
        fd = reopened.get();
    }
    std::vector<fs::path> names;
    alignas(dirent64) char buffer[16 * 1024];
    for (;;) {
        const ssize_t got = ::getdents64(fd, buffer, sizeof buffer);
        if (got < 0) {
            if (errno == ENOENT) {
                break;  // the folder was removed: nothing in it any more (as glibc's readdir)
            }
            return errno_error("cannot list", dir.path(), errno);
        }
        if (got == 0) {
            break;
        }
        for (ssize_t offset = 0; offset < got;) {
            const auto* entry = reinterpret_cast<const dirent64*>(buffer + offset);
            offset += entry->d_reclen;
            const char* name = entry->d_name;
            if (std::strcmp(name, ".") != 0 && std::strcmp(name, "..") != 0) {
                names.emplace_back(name);
            }
        }
    }
    return names;
}

}  // namespace psguard
