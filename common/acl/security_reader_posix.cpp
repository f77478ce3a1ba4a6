// POSIX side of the security reader: fstat + acl_get_fd on a descriptor opened without
// following links (falling back to lstat + acl_get_file when the folder cannot be opened for
// reading). A file system without ACL support is read as its mode bits.
#include <acl/libacl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "acl/libacl_posix.hpp"
#include "acl/security_reader.hpp"
#include "core/utf8_path.hpp"
#include "platform/posix_io.hpp"

namespace psguard {
namespace fs = std::filesystem;

namespace acl {

Result<std::vector<PosixEntry>> entries_from_libacl(acl_t handle) {
    std::vector<PosixEntry> entries;
    acl_entry_t entry = nullptr;
    for (int which = ACL_FIRST_ENTRY;; which = ACL_NEXT_ENTRY) {
        const int got = acl_get_entry(handle, which, &entry);
        if (got == 0) {
            break;
        }
        if (got < 0) {
            return fail(std::string("cannot walk the ACL: ") +
                        std::generic_category().message(errno));
        }
        acl_tag_t tag = ACL_UNDEFINED_TAG;
        acl_permset_t permset = nullptr;
        if (acl_get_tag_type(entry, &tag) != 0 || acl_get_permset(entry, &permset) != 0) {
            return fail(std::string("cannot read an ACL entry: ") +
                        std::generic_category().message(errno));
        }
        PosixEntry model;
        model.perms = static_cast<PosixPerms>((acl_get_perm(permset, ACL_READ) == 1 ? 4 : 0) |
                                              (acl_get_perm(permset, ACL_WRITE) == 1 ? 2 : 0) |
                                              (acl_get_perm(permset, ACL_EXECUTE) == 1 ? 1 : 0));
        switch (tag) {
            case ACL_USER_OBJ:
                model.tag = PosixTag::user_obj;
                break;
            case ACL_USER: {
                model.tag = PosixTag::user;
                AclOwned<void*> qualifier(acl_get_qualifier(entry));
                if (!qualifier) {
                    return fail("an ACL_USER entry without a uid");
                }
                model.id = *static_cast<const uid_t*>(qualifier.get());
                break;
            }
            case ACL_GROUP_OBJ:
                model.tag = PosixTag::group_obj;
                break;
            case ACL_GROUP: {
                model.tag = PosixTag::group;
                AclOwned<void*> qualifier(acl_get_qualifier(entry));
                if (!qualifier) {
                    return fail("an ACL_GROUP entry without a gid");
                }
                model.id = *static_cast<const gid_t*>(qualifier.get());
                break;
            }
            case ACL_MASK:
                model.tag = PosixTag::mask;
                break;
            case ACL_OTHER:
                model.tag = PosixTag::other;
                break;
            default:
                return fail("an ACL entry of unknown type " + std::to_string(tag));
        }
        entries.push_back(model);
    }
    return entries;
}

}  // namespace acl

namespace {

class Fd {
  public:
    explicit Fd(int fd) noexcept : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const noexcept { return fd_; }

  private:
    int fd_;
};

Result<PathSecurity> build(const struct stat& st, acl_t handle, int acl_error) {
    const bool directory = S_ISDIR(st.st_mode);
    if (handle == nullptr) {
        if (!acl::no_acl_support(acl_error)) {
            return fail("cannot read the ACL: " + errno_text(acl_error));
        }
        return PathSecurity{
            acl::PosixAcl::from_mode(st.st_uid, st.st_gid, st.st_mode & 0777u, directory)};
    }
    acl::AclHandle owner(handle);
    auto entries = acl::entries_from_libacl(handle);
    if (!entries) {
        return entries.error();
    }
    acl::PosixAcl model;
    model.owner_uid = st.st_uid;
    model.owner_gid = st.st_gid;
    model.is_directory = directory;
    model.entries = std::move(entries.value());
    return PathSecurity{std::move(model)};
}

}  // namespace

Result<PathSecurity> read_path_security(const fs::path& path) {
    const std::string name = without_trailing_slashes(path);
    const std::string shown = path_to_utf8(path);
    // O_NONBLOCK: a FIFO where a folder is expected must not hang the check.
    const int fd = ::open(name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd >= 0) {
        Fd guard(fd);
        struct stat st {};
        if (::fstat(fd, &st) != 0) {
            return fail(shown + ": cannot inspect: " + errno_text(errno));
        }
        errno = 0;
        acl_t handle = acl_get_fd(fd);
        auto built = build(st, handle, errno);
        if (!built) {
            return fail(shown + ": " + built.error().message);
        }
        return built;
    }
    const int open_error = errno;
    if (open_error == ELOOP) {
        return fail(shown + ": is a symlink; psguard does not check through links");
    }
    if (open_error == ENOENT || open_error == ENOTDIR) {
        return fail(shown + ": does not exist");
    }
    // Not readable by psguard (EACCES): the ACL is still readable with search rights on the
    // parent. lstat first, so that a link is still refused.
    struct stat st {};
    if (::lstat(name.c_str(), &st) != 0) {
        return fail(shown + ": cannot inspect: " + errno_text(errno));
    }
    if (S_ISLNK(st.st_mode)) {
        return fail(shown + ": is a symlink; psguard does not check through links");
    }
    errno = 0;
    acl_t handle = acl_get_file(name.c_str(), ACL_TYPE_ACCESS);
    auto built = build(st, handle, errno);
    if (!built) {
        return fail(shown + ": " + built.error().message);
    }
    return built;
}

}  // namespace psguard
