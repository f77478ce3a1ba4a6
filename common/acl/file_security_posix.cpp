// POSIX side of the file security kept through quarantine: fstat and libacl on one descriptor
// opened without following links, so the file judged is the file changed.
#include <acl/libacl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "acl/file_security.hpp"
#include "acl/libacl_posix.hpp"
#include "core/utf8_path.hpp"
#include "platform/posix_io.hpp"
#include "platform/unique_fd.hpp"

namespace psguard {
namespace fs = std::filesystem;

namespace {

Result<UniqueFd> open_regular(const fs::path& file) {
    const std::string shown = path_to_utf8(file);
    UniqueFd fd(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (!fd) {
        if (errno == ELOOP) {
            return fail(shown + ": is a symlink; psguard does not act through links");
        }
        return fail(shown + ": cannot open: " + errno_text(errno));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        return fail(shown + ": cannot inspect: " + errno_text(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        return fail(shown + ": not a regular file");
    }
    return fd;
}

Result<FileSecurity> read_open(int fd, const std::string& shown) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        return fail(shown + ": cannot inspect: " + errno_text(errno));
    }
    FileSecurity security;
    security.owner = st.st_uid;
    security.group = st.st_gid;
    security.mode = st.st_mode & 07777;
    errno = 0;
    acl::AclHandle handle(acl_get_fd(fd));
    if (!handle) {
        if (acl::no_acl_support(errno)) {
            return security;  // the file system keeps no ACLs: the mode says all
        }
        return fail(shown + ": cannot read its ACL: " + errno_text(errno));
    }
    // 1: the ACL holds more than the mode bits can say.
    if (acl_equiv_mode(handle.get(), nullptr) == 1) {
        auto text = acl::to_text(handle);
        if (!text) {
            return fail(shown + ": " + text.error().message);
        }
        security.acl = std::move(text.value());
    }
    return security;
}

std::string owner_text(const FileSecurity& security) {
    return "uid " + std::to_string(security.owner) + ", gid " + std::to_string(security.group);
}

}  // namespace

Result<FileSecurity> read_file_security(const fs::path& file) {
    auto fd = open_regular(file);
    if (!fd) {
        return fd.error();
    }
    return read_open(fd->get(), path_to_utf8(file));
}

Status apply_file_security(const fs::path& file, const FileSecurity& wanted) {
    const std::string shown = path_to_utf8(file);
    if (!wanted.descriptor.empty()) {
        return fail(shown + ": the saved security is a Windows security descriptor");
    }
    auto fd = open_regular(file);
    if (!fd) {
        return fd.error();
    }
    auto current = read_open(fd->get(), shown);
    if (!current) {
        return current.error();
    }
    if (*current == wanted) {
        return {};
    }
    // Owner first: a change of owner clears the set-id bits, which the mode then puts back.
    if ((current->owner != wanted.owner || current->group != wanted.group) &&
        ::fchown(fd->get(), wanted.owner, wanted.group) != 0) {
        const int error = errno;
        return fail(shown + ": cannot give it back its owner (" + owner_text(wanted) + ")" +
                    (error == EPERM ? " (psguard must run as root to do so)" : "") + ": " +
                    errno_text(error));
    }
    if (::fchmod(fd->get(), wanted.mode) != 0) {
        return fail(shown + ": cannot give it back its mode: " + errno_text(errno));
    }
    if (!wanted.acl.empty() || !current->acl.empty()) {
        // No saved ACL but one here now: the ACL the mode bits amount to replaces it.
        acl::AclHandle handle(wanted.acl.empty() ? acl_from_mode(wanted.mode)
                                                 : acl_from_text(wanted.acl.c_str()));
        if (!handle) {
            return fail(shown + ": the saved ACL \"" + wanted.acl + "\" does not parse");
        }
        if (acl_set_fd(fd->get(), handle.get()) != 0) {
            const int error = errno;
            return fail(shown + ": cannot give it back its ACL \"" + wanted.acl + "\"" +
                        (acl::no_acl_support(error) ? " (the file system keeps no ACLs)" : "") +
                        ": " + errno_text(error));
        }
    }
    auto after = read_open(fd->get(), shown);
    if (!after) {
        return after.error();
    }
    if (*after != wanted) {
        return fail(shown + ": its owner, mode or ACL did not stick (" + to_json(*after).dump() +
                    " instead of " + to_json(wanted).dump() + ")");
    }
    return {};
}

}  // namespace psguard
