// POSIX side of the open-folder seam: open/openat with O_DIRECTORY | O_NOFOLLOW, and a listing
// through a fresh descriptor of the same folder (fdopendir).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "core/utf8_path.hpp"
#include "platform/directory_handle.hpp"
#include "platform/file_links.hpp"
#include "platform/posix_io.hpp"

namespace psguard {
namespace fs = std::filesystem;

namespace {

// O_PATH (Linux): the descriptor only anchors lookups, so a folder psguard may search but not
// list (execute without read permission) is still walked, as the whole-path lookups did; it is
// also the cheapest open. Listing opens the folder again for reading (list_directory).
#ifdef O_PATH
constexpr int kOpenDirectoryFlags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
#else
constexpr int kOpenDirectoryFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
#endif

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
        auto probed = probe();
        if (!probed) {
            return probed.error();
        }
        if (!probed.value()) {
            return std::optional<OpenedEntry>{};
        }
        const EntryInfo& info = *probed.value();
        if (info.link != LinkKind::none || !info.is_directory) {
            return std::optional<OpenedEntry>{OpenedEntry{info, std::nullopt}};
        }
        // A plain folder that could not be opened (or one that replaced a link or a file while
        // this looked): the open's own reason.
        return errno_error("cannot open", path, error);
    }
};

OpenDirectory::OpenDirectory(OpenDirectory&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)) {}

OpenDirectory& OpenDirectory::operator=(OpenDirectory&& other) noexcept {
    if (this != &other) {
        close_fd();
        path_ = std::move(other.path_);
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

OpenDirectory::~OpenDirectory() {
    close_fd();
}

void OpenDirectory::close_fd() noexcept {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

Result<std::optional<OpenedEntry>> open_directory(const fs::path& path) {
    const int fd = ::open(without_trailing_slashes(path).c_str(), kOpenDirectoryFlags);
    const int error = fd < 0 ? errno : 0;
    return OpenDirectoryAccess::answer(path, fd, error, [&path] { return probe_entry(path); });
}

Result<std::optional<OpenedEntry>> open_directory_at(const OpenDirectory& parent,
                                                     const fs::path& name) {
    fs::path path = parent.child_path(name);
    if (!is_single_file_name(name)) {
        return fail(not_single_name_message(path));
    }
    const int fd = ::openat(parent.fd(), name.c_str(), kOpenDirectoryFlags);
    const int error = fd < 0 ? errno : 0;
    return OpenDirectoryAccess::answer(std::move(path), fd, error,
                                       [&parent, &name] { return probe_entry_at(parent, name); });
}

Result<std::vector<fs::path>> list_directory(const OpenDirectory& dir) {
    // A descriptor of its own, opened for reading: the held one may be O_PATH, and fdopendir
    // would otherwise share (and move) the held one's position.
    const int fd = ::openat(dir.fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return errno_error("cannot list", dir.path(), errno);
    }
    DIR* stream = ::fdopendir(fd);
    if (stream == nullptr) {
        const int error = errno;
        ::close(fd);
        return errno_error("cannot list", dir.path(), error);
    }
    std::vector<fs::path> names;
    int error = 0;
    for (;;) {
        errno = 0;
        const dirent* entry = ::readdir(stream);
        if (entry == nullptr) {
            error = errno;
            break;
        }
        const char* name = entry->d_name;
        if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0) {
            continue;
        }
        names.emplace_back(name);
    }
    ::closedir(stream);  // closes fd
    if (error != 0) {
        return errno_error("cannot list", dir.path(), error);
    }
    return names;
}

}  // namespace psguard
