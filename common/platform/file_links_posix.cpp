// POSIX side of the link seam: lstat/fstatat/readlink/open(at)(O_NOFOLLOW). Symlinks are the
// only links.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "core/utf8_path.hpp"
#include "platform/directory_handle.hpp"
#include "platform/file_links.hpp"
#include "platform/posix_io.hpp"
#include "platform/unique_fd.hpp"

namespace psguard {
namespace fs = std::filesystem;

namespace {

// What probe_entry answers once lstat, or fstatat without following, has run: `error` is the
// call's errno (0 when it succeeded), `shown` the whole path for the message.
Result<std::optional<EntryInfo>> probe_answer_posix(int error, const struct stat& st,
                                                    const fs::path& shown) {
    if (error != 0) {
        if (error == ENOENT || error == ENOTDIR) {
            return std::optional<EntryInfo>{};
        }
        return fail("cannot inspect " + path_to_utf8(shown) + ": " + errno_text(error));
    }
    EntryInfo info;
    if (S_ISLNK(st.st_mode)) {
        info.link = LinkKind::symlink;
        return std::optional<EntryInfo>{info};
    }
    info.is_directory = S_ISDIR(st.st_mode);
    info.is_regular_file = S_ISREG(st.st_mode);
    if (info.is_regular_file && st.st_size > 0) {
        info.size = static_cast<std::uint64_t>(st.st_size);
    }
    return std::optional<EntryInfo>{info};
}

// How read_file_nofollow opens: never a link (O_NOFOLLOW), and O_NONBLOCK so that a FIFO
// planted where a file is expected cannot hang the scan.
constexpr int kReadNoFollowFlags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;

// read_file_nofollow once open/openat has run: `fd` is its result, `open_error` its errno.
Result<std::string> read_opened_nofollow(int fd, int open_error, std::uint64_t max_bytes) {
    if (fd < 0) {
        if (open_error == ELOOP) {
            return fail("is a symlink; not followed");
        }
        return fail("cannot open: " + errno_text(open_error));
    }
    UniqueFd closer(fd);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        return fail("cannot inspect: " + errno_text(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        return fail("is not a regular file");
    }
    const auto size = static_cast<std::uint64_t>(st.st_size < 0 ? 0 : st.st_size);
    if (size > max_bytes) {
        return fail(over_cap_message(size, max_bytes));
    }
    std::string content;
    content.reserve(static_cast<std::size_t>(size));
    char chunk[64 * 1024];
    for (;;) {
        const ssize_t got = ::read(fd, chunk, sizeof chunk);
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            return fail("cannot read: " + errno_text(errno));
        }
        if (got == 0) {
            break;
        }
        if (content.size() + static_cast<std::uint64_t>(got) > max_bytes) {
            return fail("file grew over the " + std::to_string(max_bytes) +
                        "-byte cap while being read");
        }
        content.append(chunk, static_cast<std::size_t>(got));
    }
    return content;
}

}  // namespace

Result<std::optional<EntryInfo>> probe_entry(const fs::path& path) {
    struct stat st {};
    const int error = ::lstat(without_trailing_slashes(path).c_str(), &st) == 0 ? 0 : errno;
    return probe_answer_posix(error, st, path);
}

Result<std::optional<EntryInfo>> probe_entry_at(const OpenDirectory& dir, const fs::path& name) {
    if (!is_single_file_name(name)) {
        return fail(not_single_name_message(dir.child_path(name)));
    }
    struct stat st {};
    const int error = ::fstatat(dir.fd(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : errno;
    return probe_answer_posix(error, st, dir.child_path(name));
}

Result<EntryInfo> inspect_entry(const fs::path& path) {
    auto probed = probe_entry(path);
    if (!probed) {
        return probed.error();
    }
    if (!probed.value()) {
        return fail("cannot inspect " + path_to_utf8(path) + ": it does not exist");
    }
    return *probed.value();
}

Result<fs::path> link_target(const fs::path& path) {
    std::string buffer(256, '\0');
    for (;;) {
        const ssize_t length =
            ::readlink(without_trailing_slashes(path).c_str(), buffer.data(), buffer.size());
        if (length < 0) {
            const int error = errno;
            if (error == EINVAL) {
                return fail(path_to_utf8(path) + " is not a symlink");
            }
            return fail("cannot read the symlink " + path_to_utf8(path) + ": " + errno_text(error));
        }
        if (static_cast<std::size_t>(length) < buffer.size()) {
            buffer.resize(static_cast<std::size_t>(length));
            break;
        }
        if (buffer.size() >= 1024 * 1024) {
            return fail("the symlink " + path_to_utf8(path) + " has an implausibly long target");
        }
        buffer.resize(buffer.size() * 4);  // truncated: try again with more room
    }
    if (buffer.empty()) {
        return fail("the symlink " + path_to_utf8(path) + " has an empty target");
    }
    fs::path target(buffer);
    if (target.is_relative()) {
        std::error_code ec;
        const fs::path link = fs::absolute(path, ec);
        if (ec) {
            return fail("cannot make " + path_to_utf8(path) + " absolute: " + ec.message());
        }
        target = link.parent_path() / target;
    }
    return target.lexically_normal();
}

Result<std::string> read_file_nofollow(const fs::path& path, std::uint64_t max_bytes) {
    const int fd = ::open(without_trailing_slashes(path).c_str(), kReadNoFollowFlags);
    return read_opened_nofollow(fd, fd < 0 ? errno : 0, max_bytes);
}

Result<std::string> read_file_nofollow_at(const OpenDirectory& dir, const fs::path& name,
                                          std::uint64_t max_bytes) {
    if (!is_single_file_name(name)) {
        return fail("is not a single file name");  // the caller names the file, as below
    }
    const int fd = ::openat(dir.fd(), name.c_str(), kReadNoFollowFlags);
    return read_opened_nofollow(fd, fd < 0 ? errno : 0, max_bytes);
}

bool same_file_name(const fs::path& a, const fs::path& b) {
    return a.native() == b.native();
}

}  // namespace psguard
