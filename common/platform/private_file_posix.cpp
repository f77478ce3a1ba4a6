#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "core/octal_mode.hpp"
#include "core/utf8_path.hpp"
#include "platform/posix_io.hpp"
#include "platform/private_file.hpp"
#include "platform/unique_fd.hpp"

namespace psguard {
Result<std::string> read_private_file(const std::filesystem::path& file, std::string_view what,
                                      std::size_t max_bytes) {
    const std::string kind(what);
    // Checked on the opened descriptor, so the file judged is the file read.
    UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (!fd) {
        return errno_error("cannot open the " + kind + " file", file, errno);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        return errno_error("cannot inspect the " + kind + " file", file, errno);
    }
    if (!S_ISREG(st.st_mode)) {
        return fail(path_to_utf8(file) + ": the " + kind + " file is not a regular file");
    }
    if ((st.st_mode & 077) != 0) {
        return fail(path_to_utf8(file) + ": mode " + octal_mode(st.st_mode) +
                    " lets group or others read the " + kind + "; run: chmod 600 '" +
                    path_to_utf8(file) + "'");
    }
    if (st.st_uid != 0 && st.st_uid != ::geteuid()) {
        return fail(path_to_utf8(file) + ": owned by uid " + std::to_string(st.st_uid) +
                    ", neither root nor psguard's own user: that user could replace the " + kind);
    }
    std::string content(max_bytes + 1, '\0');
    std::size_t size = 0;
    while (size < content.size()) {
        const ssize_t got = ::read(fd.get(), content.data() + size, content.size() - size);
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno_error("cannot read the " + kind + " file", file, errno);
        }
        if (got == 0) {
            break;
        }
        size += static_cast<std::size_t>(got);
    }
    if (size > max_bytes) {
        return fail(too_large_text(file, what, max_bytes));
    }
    content.resize(size);
    return content;
}

}  // namespace psguard
