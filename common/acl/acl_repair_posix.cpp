// POSIX side of the repair primitives, with libacl. The folder is pinned first with an
// O_PATH|O_NOFOLLOW descriptor (a symlink is refused) and every ACL call then goes through
// /proc/self/fd/N, so a link swapped in afterwards is never written through.
#include <acl/libacl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "acl/account_resolver.hpp"
#include "acl/acl_repair.hpp"
#include "acl/libacl_posix.hpp"
#include "core/utf8_path.hpp"
#include "platform/posix_io.hpp"

namespace psguard {
namespace fs = std::filesystem;

namespace {

using acl::AclHandle;
using acl::AclOwned;
using acl::to_text;

// A folder pinned by an O_PATH descriptor, addressed as /proc/self/fd/N.
class Pinned {
  public:
    static Result<Pinned> open(const fs::path& path) {
        std::string name = path.native();
        while (name.size() > 1 && name.back() == '/') {
            name.pop_back();
        }
        const std::string shown = path_to_utf8(path);
        const int fd = ::open(name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            return fail(shown + ": cannot open: " + errno_text(errno));
        }
        Pinned pinned(fd, shown);
        struct stat st {};
        if (::fstat(fd, &st) != 0) {
            return fail(shown + ": cannot inspect: " + errno_text(errno));
        }
        if (S_ISLNK(st.st_mode)) {
            return fail(shown +
                        ": is a symlink; psguard does not change permissions through links");
        }
        pinned.directory_ = S_ISDIR(st.st_mode);
        pinned.name_ = "/proc/self/fd/" + std::to_string(fd);
        if (::access(pinned.name_.c_str(), F_OK) != 0) {  // no /proc: the checked path itself
            pinned.name_ = name;
        }
        return pinned;
    }

    ~Pinned() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    Pinned(Pinned&& other) noexcept
        : fd_(std::exchange(other.fd_, -1)),
          directory_(other.directory_),
          name_(std::move(other.name_)),
          shown_(std::move(other.shown_)) {}
    Pinned(const Pinned&) = delete;
    Pinned& operator=(const Pinned&) = delete;
    Pinned& operator=(Pinned&&) = delete;

    const char* name() const { return name_.c_str(); }
    const std::string& shown() const { return shown_; }
    bool directory() const { return directory_; }

  private:
    Pinned(int fd, std::string shown) : fd_(fd), shown_(std::move(shown)) {}

    int fd_ = -1;
    bool directory_ = false;
    std::string name_;
    std::string shown_;
};

Error acl_error(const Pinned& target, const std::string& what, int error) {
    if (error == EPERM || error == EACCES) {
        return fail(target.shown() + ": psguard may not " + what +
                    " (it must run as root or as the folder's owner): " + errno_text(error));
    }
    return fail(target.shown() + ": cannot " + what + ": " + errno_text(error));
}

Result<AclHandle> get_acl(const Pinned& target, acl_type_t type) {
    AclHandle handle(acl_get_file(target.name(), type));
    if (!handle) {
        return acl_error(target, "read its ACL", errno);
    }
    return handle;
}

Status set_perms(acl_entry_t entry, bool rwx_only_add) {
    acl_permset_t permset = nullptr;
    if (acl_get_permset(entry, &permset) != 0) {
        return fail("cannot read an entry's permissions: " + errno_text(errno));
    }
    if (!rwx_only_add && acl_clear_perms(permset) != 0) {
        return fail("cannot clear an entry's permissions: " + errno_text(errno));
    }
    if (acl_add_perm(permset, ACL_READ) != 0 || acl_add_perm(permset, ACL_WRITE) != 0 ||
        acl_add_perm(permset, ACL_EXECUTE) != 0 || acl_set_permset(entry, permset) != 0) {
        return fail("cannot set an entry's permissions: " + errno_text(errno));
    }
    return {};
}

// The named-user entry rwx (created or raised) and a mask that lets it through.
Status add_user_entry(AclHandle& handle, uid_t uid) {
    acl_entry_t entry = nullptr;
    acl_entry_t user = nullptr;
    acl_entry_t mask = nullptr;
    for (int which = ACL_FIRST_ENTRY; acl_get_entry(handle.get(), which, &entry) == 1;
         which = ACL_NEXT_ENTRY) {
        acl_tag_t tag = ACL_UNDEFINED_TAG;
        acl_get_tag_type(entry, &tag);
        if (tag == ACL_MASK) {
            mask = entry;
        } else if (tag == ACL_USER) {
            AclOwned<void*> qualifier(acl_get_qualifier(entry));
            if (qualifier && *static_cast<const uid_t*>(qualifier.get()) == uid) {
                user = entry;
            }
        }
    }
    if (user == nullptr) {
        if (acl_create_entry(handle.address(), &user) != 0 ||
            acl_set_tag_type(user, ACL_USER) != 0 || acl_set_qualifier(user, &uid) != 0) {
            return fail("cannot add a user entry: " + errno_text(errno));
        }
        mask = nullptr;  // acl_create_entry may have moved the ACL: find the mask again
        for (int which = ACL_FIRST_ENTRY; acl_get_entry(handle.get(), which, &entry) == 1;
             which = ACL_NEXT_ENTRY) {
            acl_tag_t tag = ACL_UNDEFINED_TAG;
            acl_get_tag_type(entry, &tag);
            if (tag == ACL_MASK) {
                mask = entry;
            }
        }
    }
    if (auto set = set_perms(user, false); !set) {
        return set;
    }
    if (mask != nullptr) {
        if (auto set = set_perms(mask, true); !set) {  // old mask plus rwx
            return set;
        }
    } else if (acl_calc_mask(handle.address()) != 0) {
        return fail("cannot compute the ACL mask: " + errno_text(errno));
    }
    if (acl_valid(handle.get()) != 0) {
        return fail("the new ACL is not valid: " + errno_text(errno));
    }
    return {};
}

// A default ACL made of the access ACL's base entries, as setfacl does when there is none.
Result<AclHandle> base_entries_of(const AclHandle& access) {
    AclHandle base(acl_init(4));
    if (!base) {
        return fail("cannot allocate an ACL: " + errno_text(errno));
    }
    acl_entry_t entry = nullptr;
    for (int which = ACL_FIRST_ENTRY; acl_get_entry(access.get(), which, &entry) == 1;
         which = ACL_NEXT_ENTRY) {
        acl_tag_t tag = ACL_UNDEFINED_TAG;
        acl_get_tag_type(entry, &tag);
        if (tag != ACL_USER_OBJ && tag != ACL_GROUP_OBJ && tag != ACL_OTHER) {
            continue;
        }
        acl_entry_t copy = nullptr;
        if (acl_create_entry(base.address(), &copy) != 0 || acl_copy_entry(copy, entry) != 0) {
            return fail("cannot copy an ACL entry: " + errno_text(errno));
        }
    }
    return base;
}

// The named-user entry for `uid` holds rwx and the mask (if any) lets rwx through.
bool grants_rwx(const AclHandle& handle, uid_t uid) {
    auto entries = acl::entries_from_libacl(handle.get());
    if (!entries) {
        return false;
    }
    bool user = false;
    bool mask = true;
    for (const auto& entry : entries.value()) {
        if (entry.tag == acl::PosixTag::user && entry.id == uid) {
            user = entry.perms == acl::posix_perm::all;
        }
        if (entry.tag == acl::PosixTag::mask) {
            mask = entry.perms == acl::posix_perm::all;
        }
    }
    return user && mask;
}

}  // namespace

namespace acl {

Result<std::string> to_text(const AclHandle& handle) {
    if (acl_entries(handle.get()) <= 0) {
        return std::string();
    }
    AclOwned<char*> text(acl_to_any_text(handle.get(), nullptr, ',', TEXT_NUMERIC_IDS));
    if (!text) {
        return fail("cannot express the ACL as text: " + errno_text(errno));
    }
    return std::string(text.get());
}

}  // namespace acl

Result<std::string> snapshot_descriptor(const fs::path& path) {
    auto target = Pinned::open(path);
    if (!target) {
        return target.error();
    }
    auto access = get_acl(*target, ACL_TYPE_ACCESS);
    if (!access) {
        return access.error();
    }
    auto access_text = to_text(*access);
    if (!access_text) {
        return fail(target->shown() + ": " + access_text.error().message);
    }
    std::string default_text;
    if (target->directory()) {
        auto defaults = get_acl(*target, ACL_TYPE_DEFAULT);
        if (!defaults) {
            return defaults.error();
        }
        auto text = to_text(*defaults);
        if (!text) {
            return fail(target->shown() + ": " + text.error().message);
        }
        default_text = std::move(text.value());
    }
    return "access=" + access_text.value() + "\ndefault=" + default_text + "\n";
}

Status grant_modify(const fs::path& path, const std::string& account) {
    const ResolvedAccount who = resolve_account(account, /*with_groups=*/false);
    if (!who.resolved || !who.identity) {
        return fail("cannot grant rights to \"" + account + "\": " + who.reason);
    }
    const auto uid = static_cast<uid_t>(who.identity->uid);
    auto target = Pinned::open(path);
    if (!target) {
        return target.error();
    }
    auto access = get_acl(*target, ACL_TYPE_ACCESS);
    if (!access) {
        return access.error();
    }
    if (auto added = add_user_entry(*access, uid); !added) {
        return fail(target->shown() + ": " + added.error().message);
    }
    if (acl_set_file(target->name(), ACL_TYPE_ACCESS, access->get()) != 0) {
        return acl_error(*target, "change its ACL", errno);
    }
    if (target->directory()) {
        auto defaults = get_acl(*target, ACL_TYPE_DEFAULT);
        if (!defaults) {
            return defaults.error();
        }
        if (acl_entries(defaults->get()) <= 0) {
            auto base = base_entries_of(*access);
            if (!base) {
                return fail(target->shown() + ": " + base.error().message);
            }
            defaults = std::move(base);
        }
        if (auto added = add_user_entry(*defaults, uid); !added) {
            return fail(target->shown() + ": default ACL: " + added.error().message);
        }
        if (acl_set_file(target->name(), ACL_TYPE_DEFAULT, defaults->get()) != 0) {
            return acl_error(*target, "change its default ACL", errno);
        }
    }
    // Read back: the change must actually be in place.
    auto check = get_acl(*target, ACL_TYPE_ACCESS);
    if (!check || !grants_rwx(*check, uid)) {
        return fail(target->shown() + ": the new ACL entry for " + who.display +
                    " is not in place after writing it");
    }
    return {};
}

Status restore_descriptor(const fs::path& path, const std::string& snapshot) {
    constexpr std::string_view kAccess = "access=";
    constexpr std::string_view kDefault = "default=";
    const auto newline = snapshot.find('\n');
    const std::string first = snapshot.substr(0, newline);
    std::string second =
        newline == std::string::npos ? std::string() : snapshot.substr(newline + 1);
    while (!second.empty() && (second.back() == '\n' || second.back() == '\r')) {
        second.pop_back();
    }
    if (!first.starts_with(kAccess) || !second.starts_with(kDefault)) {
        return fail(
            "not an ACL snapshot taken by psguard (expected \"access=...\" and "
            "\"default=...\" lines)");
    }
    const std::string access_text = first.substr(kAccess.size());
    const std::string default_text = second.substr(kDefault.size());
    AclHandle access(acl_from_text(access_text.c_str()));
    if (!access) {
        return fail("the saved access ACL \"" + access_text + "\" does not parse");
    }
    AclHandle defaults;
    if (!default_text.empty()) {
        defaults = AclHandle(acl_from_text(default_text.c_str()));
        if (!defaults) {
            return fail("the saved default ACL \"" + default_text + "\" does not parse");
        }
    }
    auto target = Pinned::open(path);
    if (!target) {
        return target.error();
    }
    if (acl_set_file(target->name(), ACL_TYPE_ACCESS, access.get()) != 0) {
        return acl_error(*target, "restore its ACL", errno);
    }
    if (target->directory()) {
        const int done = defaults ? acl_set_file(target->name(), ACL_TYPE_DEFAULT, defaults.get())
                                  : acl_delete_def_file(target->name());
        if (done != 0) {
            return acl_error(*target, "restore its default ACL", errno);
        }
    }
    return {};
}

}  // namespace psguard
