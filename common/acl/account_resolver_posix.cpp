// POSIX side of the account seam: the configured account is a user name (possibly a winbind or
// SSSD name such as "CORP\user" or "user@corp.example", which NSS resolves as they are).
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <vector>

#include "acl/account_resolver.hpp"

namespace psguard {
namespace {

std::size_t buffer_hint(int name) {
    const long hint = ::sysconf(name);
    return hint > 0 ? static_cast<std::size_t>(hint) : 16384;
}

struct PasswdEntry {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
};

// getpwnam_r with a growing buffer; nullopt when there is no such user, an error otherwise.
Result<std::optional<PasswdEntry>> find_user(const std::string& name) {
    std::vector<char> buffer(buffer_hint(_SC_GETPW_R_SIZE_MAX));
    for (;;) {
        struct passwd entry {};
        struct passwd* found = nullptr;
        const int error = ::getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found);
        if (error == ERANGE && buffer.size() < (1u << 20)) {
            buffer.resize(buffer.size() * 4);
            continue;
        }
        if (error != 0 && error != ENOENT && error != ESRCH) {
            return fail("cannot look up the user \"" + name +
                        "\": " + std::generic_category().message(error));
        }
        if (found == nullptr) {
            return std::optional<PasswdEntry>{};
        }
        return std::optional<PasswdEntry>{
            PasswdEntry{found->pw_name, found->pw_uid, found->pw_gid}};
    }
}

// getgrouplist with a growing list; the primary group is always included.
Result<std::vector<std::uint32_t>> group_ids(const PasswdEntry& user) {
    std::vector<gid_t> groups(32);
    for (int attempt = 0; attempt < 16; ++attempt) {
        int count = static_cast<int>(groups.size());
        if (::getgrouplist(user.name.c_str(), user.gid, groups.data(), &count) >= 0) {
            groups.resize(static_cast<std::size_t>(count));
            return std::vector<std::uint32_t>(groups.begin(), groups.end());
        }
        // Too small: glibc reports the size needed in `count`.
        groups.resize(std::max<std::size_t>(groups.size() * 2, static_cast<std::size_t>(count)));
    }
    return fail("getgrouplist did not settle for \"" + user.name + "\"");
}

}  // namespace

ResolvedAccount resolve_account(const std::string& account, bool with_groups) {
    ResolvedAccount out;
    out.account = account;
    auto name = parse_account_name(account);
    if (!name) {
        out.reason = name.error().message;
        return out;
    }
    std::string lookup = account;
    switch (name->form) {
        case AccountForm::sid:
            out.reason = "\"" + account +
                         "\" is a Windows SID, which a Linux host cannot resolve; configure the "
                         "user name the Package Server agent runs as";
            return out;
        case AccountForm::local_user:
            out.local = true;
            lookup = name->user;
            break;
        case AccountForm::plain:
            out.local = true;
            break;
        case AccountForm::domain_user:
        case AccountForm::upn:
            break;  // winbind/SSSD names: NSS takes them whole
    }
    auto user = find_user(lookup);
    if (!user) {
        out.reason = user.error().message;
        return out;
    }
    if (!user.value()) {
        out.reason = std::string(out.local ? "the local account \"" : "the account \"") + lookup +
                     "\" does not exist on this host";
        return out;
    }
    const PasswdEntry& entry = **user;
    out.resolved = true;
    out.resolved_text = "uid " + std::to_string(entry.uid);
    out.display = entry.name + " (uid " + std::to_string(entry.uid) + ")";
    acl::PosixIdentity identity;
    identity.uid = entry.uid;
    identity.gids = {entry.gid};
    if (with_groups) {
        auto groups = group_ids(entry);
        if (groups) {
            identity.gids = std::move(groups.value());
            out.groups_source = "getgrouplist";
        } else {
            out.partial = true;
            out.partial_reason = groups.error().message + "; only the primary group is counted";
            out.groups_source = "account only";
        }
    }
    out.identity = std::move(identity);
    return out;
}

std::string describe_sid(const acl::Sid& sid) {
    if (const auto name = acl::well_known_name(sid)) {
        return std::string(*name) + " (" + sid.to_string() + ")";
    }
    return sid.to_string();
}

std::string describe_uid(std::uint32_t uid) {
    std::vector<char> buffer(buffer_hint(_SC_GETPW_R_SIZE_MAX));
    struct passwd entry {};
    struct passwd* found = nullptr;
    if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr) {
        return std::string(found->pw_name) + " (uid " + std::to_string(uid) + ")";
    }
    return "uid " + std::to_string(uid);
}

std::string describe_gid(std::uint32_t gid) {
    std::vector<char> buffer(buffer_hint(_SC_GETGR_R_SIZE_MAX));
    struct group entry {};
    struct group* found = nullptr;
    if (::getgrgid_r(gid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr) {
        return std::string(found->gr_name) + " (gid " + std::to_string(gid) + ")";
    }
    return "gid " + std::to_string(gid);
}

}  // namespace psguard
