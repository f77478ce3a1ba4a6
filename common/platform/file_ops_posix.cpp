#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <system_error>

#include "core/utf8_path.hpp"
#include "platform/file_ops.hpp"
#include "platform/posix_io.hpp"
#include "platform/unique_fd.hpp"

namespace psguard {
Status append_durably(const std::filesystem::path& file, std::string_view bytes) {
    UniqueFd fd(::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) {
        return errno_error("cannot open", file, errno);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        return errno_error("cannot inspect", file, errno);
    }
    Status appended = write_all(fd.get(), bytes, file);
    if (appended && ::fsync(fd.get()) != 0) {
        appended = errno_error("cannot flush", file, errno);
    }
    // A full disk writes part of the bytes: cut them off again, so that a failed append leaves
    // the file as it was (a later append must not glue onto a fragment).
    if (!appended && (::ftruncate(fd.get(), st.st_size) != 0 || ::fsync(fd.get()) != 0)) {
        return fail(appended.error().message + "; cutting off the partial write failed too: " +
                    std::generic_category().message(errno));
    }
    return appended;
}

Status truncate_durably(const std::filesystem::path& file, std::uint64_t size) {
    UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) {
        return errno_error("cannot open", file, errno);
    }
    if (::ftruncate(fd.get(), static_cast<off_t>(size)) != 0) {
        return errno_error("cannot truncate", file, errno);
    }
    if (::fsync(fd.get()) != 0) {
        return errno_error("cannot flush", file, errno);
    }
    return {};
}

Status write_atomically(const std::filesystem::path& file, std::string_view bytes) {
    std::filesystem::path temporary = file;
    temporary += ".tmp";
    {
        UniqueFd fd(
            ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
        if (!fd) {
            return errno_error("cannot create", temporary, errno);
        }
        if (auto written = write_all(fd.get(), bytes, temporary); !written) {
            return written;
        }
        if (::fsync(fd.get()) != 0) {
            return errno_error("cannot flush", temporary, errno);
        }
    }
    if (::rename(temporary.c_str(), file.c_str()) != 0) {
        return errno_error("cannot replace", file, errno);
    }
    return sync_folder(file.parent_path());
}

Result<MoveResult> rename_no_replace(const std::filesystem::path& from,
                                     const std::filesystem::path& to) {
    // link() + unlink() never replaces `to` and works on every Linux filesystem psguard meets;
    // it fails with EXDEV across volumes. (renameat2(RENAME_NOREPLACE) is not everywhere.)
    if (::link(from.c_str(), to.c_str()) != 0) {
        const int error = errno;
        if (error == EXDEV) {
            return MoveResult::other_volume;
        }
        return errno_error("cannot move " + path_to_utf8(from) + " to", to, error);
    }
    if (::unlink(from.c_str()) != 0) {
        const int error = errno;
        ::unlink(to.c_str());  // undo: the file stays where it was
        return errno_error("cannot remove", from, error);
    }
    return MoveResult::moved;
}

Status copy_durably(const std::filesystem::path& from, const std::filesystem::path& to) {
    UniqueFd in(::open(from.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    if (!in) {
        return errno_error("cannot open", from, errno);
    }
    struct stat st {};
    if (::fstat(in.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        return fail("cannot copy " + path_to_utf8(from) + ": not a regular file");
    }
    UniqueFd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!out) {
        return errno_error("cannot create", to, errno);
    }
    std::array<char, 64 * 1024> buffer{};
    for (;;) {
        const ssize_t got = ::read(in.get(), buffer.data(), buffer.size());
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno_error("cannot read", from, errno);
        }
        if (got == 0) {
            break;
        }
        if (auto written = write_all(
                out.get(), std::string_view(buffer.data(), static_cast<std::size_t>(got)), to);
            !written) {
            return written;
        }
    }
    if (::fsync(out.get()) != 0) {
        return errno_error("cannot flush", to, errno);
    }
    return sync_folder(to.parent_path());
}

Status remove_regular_file(const std::filesystem::path& file) {
    struct stat st {};
    if (::lstat(file.c_str(), &st) != 0) {
        return errno_error("cannot inspect", file, errno);
    }
    if (!S_ISREG(st.st_mode)) {
        return fail("refusing to remove " + path_to_utf8(file) + ": not a regular file");
    }
    if (::unlink(file.c_str()) != 0) {
        return errno_error("cannot remove", file, errno);
    }
    return sync_folder(file.parent_path());
}

Status sync_folder(const std::filesystem::path& folder) {
    UniqueFd fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) {
        return errno_error("cannot open folder", folder, errno);
    }
    if (::fsync(fd.get()) != 0 && errno != EINVAL) {
        return errno_error("cannot flush folder", folder, errno);
    }
    return {};
}

}  // namespace psguard
