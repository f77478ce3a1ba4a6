#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <system_error>

#include "core/utf8_path.hpp"
#include "endpoint/token_file.hpp"
#include "platform/file_ops.hpp"
#include "platform/posix_io.hpp"
#include "platform/unique_fd.hpp"

namespace psguard {
namespace {

Status random_bytes(std::span<unsigned char> out) {
    std::size_t filled = 0;
    while (filled < out.size()) {
        const ssize_t got = ::getrandom(out.data() + filled, out.size() - filled, 0);
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            return fail(std::string("getrandom failed: ") + std::generic_category().message(errno));
        }
        filled += static_cast<std::size_t>(got);
    }
    return {};
}

}  // namespace

Result<std::string> create_token_file(const std::filesystem::path& file) {
    std::array<unsigned char, kGeneratedTokenBytes> bytes{};
    if (auto random = random_bytes(bytes); !random) {
        return random.error();
    }
    const std::string token = hex_encode(bytes);

    // A new file (O_EXCL) gets exactly mode 0600, whatever the umask or a leftover file says;
    // renamed over the old token, a reader sees the old or the new token, never half of one.
    std::filesystem::path temporary = file;
    temporary += ".new";
    ::unlink(temporary.c_str());  // a leftover of an interrupted run, if any
    {
        UniqueFd fd(
            ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
        if (!fd) {
            return errno_error("cannot create", temporary, errno);
        }
        if (::fchmod(fd.get(), 0600) != 0) {
            return errno_error("cannot set the mode of", temporary, errno);
        }
        if (auto written = write_all(fd.get(), token + "\n", temporary); !written) {
            ::unlink(temporary.c_str());
            return written.error();
        }
        if (::fsync(fd.get()) != 0) {
            const int error = errno;
            ::unlink(temporary.c_str());
            return errno_error("cannot flush", temporary, error);
        }
    }
    if (::rename(temporary.c_str(), file.c_str()) != 0) {
        const int error = errno;
        ::unlink(temporary.c_str());
        return errno_error("cannot rename " + path_to_utf8(temporary) + " to", file, error);
    }
    if (auto synced = sync_folder(file.parent_path().empty() ? "." : file.parent_path()); !synced) {
        return synced.error();
    }
    return token;
}

}  // namespace psguard
