#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <system_error>

#include "core/utf8_path.hpp"
#include "platform/file_lock.hpp"
#include "platform/unique_fd.hpp"

namespace psguard {

struct FileLock::Handle {
    UniqueFd fd;
};

FileLock::FileLock(std::unique_ptr<Handle> handle) : handle_(std::move(handle)) {}
FileLock::FileLock(FileLock&&) noexcept = default;
FileLock& FileLock::operator=(FileLock&&) noexcept = default;
FileLock::~FileLock() = default;  // closing the descriptor releases the lock

Result<FileLock> FileLock::try_acquire(const std::filesystem::path& file) {
    UniqueFd fd(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) {
        return fail("cannot open the lock " + path_to_utf8(file) + ": " +
                    std::generic_category().message(errno));
    }
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) {
            return fail("another psguard holds " + path_to_utf8(file) +
                        " (the service, or another command): try again when it is done");
        }
        return fail("cannot lock " + path_to_utf8(file) + ": " +
                    std::generic_category().message(errno));
    }
    auto handle = std::make_unique<Handle>();
    handle->fd = std::move(fd);
    return FileLock(std::move(handle));
}

}  // namespace psguard
