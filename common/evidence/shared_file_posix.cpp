// POSIX side of the shared-file seam: open(O_NOFOLLOW) and pread. POSIX never locks a file
// against other writers, so sharing needs nothing more.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

#include "evidence/shared_file.hpp"
#include "platform/posix_io.hpp"

namespace psguard {
namespace fs = std::filesystem;

struct SharedFile::Native {
    explicit Native(int descriptor) noexcept : fd(descriptor) {}
    ~Native() {
        if (fd >= 0) {
            ::close(fd);
        }
    }
    Native(const Native&) = delete;
    Native& operator=(const Native&) = delete;

    int fd;
};

SharedFile::SharedFile(std::unique_ptr<Native> native, FileIdentity identity) noexcept
    : native_(std::move(native)), identity_(identity) {}
SharedFile::SharedFile(SharedFile&& other) noexcept = default;
SharedFile& SharedFile::operator=(SharedFile&& other) noexcept = default;
SharedFile::~SharedFile() = default;

Result<SharedFile> SharedFile::open(const fs::path& path) {
    // O_NONBLOCK: a FIFO planted where a log is expected must not hang the cycle.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        const int error = errno;
        if (error == ELOOP) {
            return fail("is a symlink; not followed");
        }
        return fail("cannot open: " + errno_text(error));
    }
    auto native = std::make_unique<Native>(fd);
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        return fail("cannot inspect: " + errno_text(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        return fail("is not a regular file");
    }
    FileIdentity identity;
    identity.device = static_cast<std::uint64_t>(st.st_dev);
    identity.index = static_cast<std::uint64_t>(st.st_ino);
    return SharedFile(std::move(native), identity);
}

Result<std::uint64_t> SharedFile::size() const {
    struct stat st {};
    if (::fstat(native_->fd, &st) != 0) {
        return fail("cannot inspect: " + errno_text(errno));
    }
    return static_cast<std::uint64_t>(st.st_size < 0 ? 0 : st.st_size);
}

Result<std::size_t> SharedFile::read_at(std::uint64_t offset, char* buffer,
                                        std::size_t length) const {
    std::size_t done = 0;
    while (done < length) {
        const ssize_t got =
            ::pread(native_->fd, buffer + done, length - done, static_cast<off_t>(offset + done));
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            return fail("cannot read: " + errno_text(errno));
        }
        if (got == 0) {
            break;  // end of file
        }
        done += static_cast<std::size_t>(got);
    }
    return done;
}

}  // namespace psguard
