// Windows side of the account seam. The account resolves with LookupAccountNameW (or
// LookupAccountSidW for a SID string); its groups come from an Authz client context for its SID
// (the groups a logon token would hold, nested ones included), else from NetUserGetGroups and
// NetUserGetLocalGroups, else only the SID itself is evaluated and the result says it is partial.
// Under Wine, Authz is a stub and the NetUser* calls are thin: each step checks its answer and
// falls through cleanly.
#include <windows.h>
// After windows.h:
#include <authz.h>
#include <dsgetdc.h>
#include <lm.h>
#include <sddl.h>

#include <algorithm>
#include <cwctype>
#include <utility>
#include <vector>

#include "acl/account_resolver.hpp"
#include "acl/win_security.hpp"
#include "platform/win_text.hpp"

namespace psguard {
namespace {

using acl::Sid;

// One owner for a handle released by `Free` (Authz handles, NetAPI buffers).
template <typename H, auto Free>
class Owned {
  public:
    Owned() noexcept = default;
    ~Owned() {
        if (handle_ != nullptr) {
            Free(handle_);
        }
    }
    Owned(const Owned&) = delete;
    Owned& operator=(const Owned&) = delete;
    H* out() noexcept { return &handle_; }
    H get() const noexcept { return handle_; }

  private:
    H handle_ = nullptr;
};

using AuthzManager = Owned<AUTHZ_RESOURCE_MANAGER_HANDLE, &AuthzFreeResourceManager>;
using AuthzContext = Owned<AUTHZ_CLIENT_CONTEXT_HANDLE, &AuthzFreeContext>;
using NetBuffer = Owned<LPBYTE, &NetApiBufferFree>;

struct Lookup {
    Sid sid;
    std::wstring domain;
    std::wstring name;
    SID_NAME_USE use = SidTypeUnknown;
};

bool same_text(std::wstring_view a, std::wstring_view b) {
    return CompareStringOrdinal(a.data(), static_cast<int>(a.size()), b.data(),
                                static_cast<int>(b.size()), TRUE) == CSTR_EQUAL;
}

std::wstring computer_name() {
    wchar_t buffer[MAX_COMPUTERNAME_LENGTH + 1] = {};
    DWORD size = MAX_COMPUTERNAME_LENGTH + 1;
    if (!GetComputerNameExW(ComputerNameNetBIOS, buffer, &size)) {
        return {};
    }
    return std::wstring(buffer, size);
}

Result<Lookup> lookup_name(const std::wstring& name) {
    DWORD sid_size = 0;
    DWORD domain_size = 0;
    SID_NAME_USE use = SidTypeUnknown;
    LookupAccountNameW(nullptr, name.c_str(), nullptr, &sid_size, nullptr, &domain_size, &use);
    DWORD error = GetLastError();
    if (error != ERROR_INSUFFICIENT_BUFFER || sid_size == 0) {
        return fail(win_error_text(error));
    }
    std::vector<unsigned char> sid(sid_size);
    std::wstring domain(domain_size, L'\0');
    if (!LookupAccountNameW(nullptr, name.c_str(), sid.data(), &sid_size, domain.data(),
                            &domain_size, &use)) {
        return fail(win_error_text(GetLastError()));
    }
    domain.resize(domain_size);
    auto model = acl::sid_from_native(sid.data());
    if (!model) {
        return model.error();
    }
    Lookup found;
    found.sid = std::move(model.value());
    found.domain = std::move(domain);
    const auto slash = name.find(L'\\');
    found.name = slash == std::wstring::npos ? name : name.substr(slash + 1);
    found.use = use;
    return found;
}

Result<Lookup> lookup_sid(const Sid& sid) {
    auto bytes = sid.to_bytes();
    DWORD name_size = 0;
    DWORD domain_size = 0;
    SID_NAME_USE use = SidTypeUnknown;
    LookupAccountSidW(nullptr, bytes.data(), nullptr, &name_size, nullptr, &domain_size, &use);
    DWORD error = GetLastError();
    if (error != ERROR_INSUFFICIENT_BUFFER || name_size == 0) {
        return fail(win_error_text(error));
    }
    std::wstring name(name_size, L'\0');
    std::wstring domain(domain_size, L'\0');
    if (!LookupAccountSidW(nullptr, bytes.data(), name.data(), &name_size, domain.data(),
                           &domain_size, &use)) {
        return fail(win_error_text(GetLastError()));
    }
    name.resize(name_size);
    domain.resize(domain_size);
    return Lookup{sid, std::move(domain), std::move(name), use};
}

// The service identities are well-known "groups" to LSA but log on like users.
bool is_account(const Lookup& found) {
    if (found.use == SidTypeUser || found.use == SidTypeComputer) {
        return true;
    }
    const auto& subs = found.sid.sub_authorities();
    return found.sid.authority() == 5 && subs.size() == 1 && subs[0] >= 18 && subs[0] <= 20;
}

std::string qualified(const Lookup& found) {
    return found.domain.empty() ? to_utf8(found.name) : to_utf8(found.domain + L"\\" + found.name);
}

// The groups of an Authz client context. A real context always holds Everyone; one without it
// (Wine's stub) is not an answer.
Result<acl::AccessToken> authz_token(const Sid& user) {
    AuthzManager manager;
    if (!AuthzInitializeResourceManager(AUTHZ_RM_FLAG_NO_AUDIT, nullptr, nullptr, nullptr,
                                        L"psguard", manager.out()) ||
        manager.get() == nullptr) {
        return fail("AuthzInitializeResourceManager: " + win_error_text(GetLastError()));
    }
    auto bytes = user.to_bytes();
    AuthzContext context;
    LUID unused{};
    if (!AuthzInitializeContextFromSid(0, bytes.data(), manager.get(), nullptr, unused, nullptr,
                                       context.out()) ||
        context.get() == nullptr) {
        return fail("AuthzInitializeContextFromSid: " + win_error_text(GetLastError()));
    }
    DWORD size = 0;
    AuthzGetInformationFromContext(context.get(), AuthzContextInfoGroupsSids, 0, &size, nullptr);
    if (size < sizeof(TOKEN_GROUPS)) {
        return fail("AuthzGetInformationFromContext: " + win_error_text(GetLastError()));
    }
    // DWORD-aligned storage for TOKEN_GROUPS and the SIDs after it.
    std::vector<ULONG_PTR> buffer(size / sizeof(ULONG_PTR) + 1);
    if (!AuthzGetInformationFromContext(context.get(), AuthzContextInfoGroupsSids, size, &size,
                                        buffer.data())) {
        return fail("AuthzGetInformationFromContext: " + win_error_text(GetLastError()));
    }
    const auto* groups = reinterpret_cast<const TOKEN_GROUPS*>(buffer.data());
    acl::AccessToken token;
    token.user = user;
    for (DWORD i = 0; i < groups->GroupCount; ++i) {
        const SID_AND_ATTRIBUTES& group = groups->Groups[i];
        if ((group.Attributes & (SE_GROUP_LOGON_ID | SE_GROUP_INTEGRITY)) != 0) {
            continue;
        }
        auto sid = acl::sid_from_native(group.Sid);
        if (!sid) {
            continue;
        }
        if ((group.Attributes & SE_GROUP_USE_FOR_DENY_ONLY) != 0) {
            token.deny_only_groups.push_back(std::move(sid.value()));
        } else if ((group.Attributes & SE_GROUP_ENABLED) != 0) {
            token.groups.push_back(std::move(sid.value()));
        }
    }
    if (std::find(token.groups.begin(), token.groups.end(), acl::well_known::everyone()) ==
        token.groups.end()) {
        return fail("the Authz context holds no Everyone group (Authz is not implemented here)");
    }
    return token;
}

struct NetGroups {
    std::vector<Sid> groups;
    int lists_read = 0;  // of 2: global groups, local groups
    std::vector<std::string> problems;
};

// NetUserGetGroups (global groups, asked of a domain controller for a domain account) and
// NetUserGetLocalGroups (this machine's groups, nested ones included).
NetGroups netapi_groups(const Lookup& account, bool local) {
    NetGroups out;
    const auto add = [&](const std::wstring& name) {
        auto found = lookup_name(name);
        if (found) {
            out.groups.push_back(found->sid);
        } else {
            out.problems.push_back("group \"" + to_utf8(name) + "\" did not resolve");
        }
    };

    std::wstring server;
    bool server_known = true;
    if (!local) {
        Owned<PDOMAIN_CONTROLLER_INFOW, &NetApiBufferFree> dc;
        const DWORD status =
            DsGetDcNameW(nullptr, account.domain.c_str(), nullptr, nullptr, 0, dc.out());
        if (status == ERROR_SUCCESS && dc.get() != nullptr &&
            dc.get()->DomainControllerName != nullptr) {
            server = dc.get()->DomainControllerName;
        } else {
            server_known = false;
            out.problems.push_back("no domain controller for " + to_utf8(account.domain) + ": " +
                                   win_error_text(status));
        }
    }
    if (server_known) {
        NetBuffer buffer;
        DWORD read = 0;
        DWORD total = 0;
        const NET_API_STATUS status =
            NetUserGetGroups(server.empty() ? nullptr : server.c_str(), account.name.c_str(), 0,
                             buffer.out(), MAX_PREFERRED_LENGTH, &read, &total);
        if (status == NERR_Success) {
            ++out.lists_read;
            const auto* rows = reinterpret_cast<const GROUP_USERS_INFO_0*>(buffer.get());
            for (DWORD i = 0; rows != nullptr && i < read; ++i) {
                add(account.domain + L"\\" + rows[i].grui0_name);
            }
        } else {
            out.problems.push_back("NetUserGetGroups: " + win_error_text(status));
        }
    }
    {
        NetBuffer buffer;
        DWORD read = 0;
        DWORD total = 0;
        const std::wstring user = local ? account.name : account.domain + L"\\" + account.name;
        const NET_API_STATUS status =
            NetUserGetLocalGroups(nullptr, user.c_str(), 0, LG_INCLUDE_INDIRECT, buffer.out(),
                                  MAX_PREFERRED_LENGTH, &read, &total);
        if (status == NERR_Success) {
            ++out.lists_read;
            const auto* rows = reinterpret_cast<const LOCALGROUP_USERS_INFO_0*>(buffer.get());
            for (DWORD i = 0; rows != nullptr && i < read; ++i) {
                add(rows[i].lgrui0_name);
            }
        } else {
            out.problems.push_back("NetUserGetLocalGroups: " + win_error_text(status));
        }
    }
    return out;
}

std::string join(const std::vector<std::string>& parts) {
    std::string text;
    for (const auto& part : parts) {
        text += (text.empty() ? "" : "; ") + part;
    }
    return text;
}

void enumerate_groups(ResolvedAccount& out, const Lookup& account) {
    acl::AccessToken token;
    token.user = account.sid;
    auto authz = authz_token(account.sid);
    if (authz) {
        token = std::move(authz.value());
        out.groups_source = "authz";
    } else {
        NetGroups net = netapi_groups(account, out.local);
        if (net.lists_read > 0) {
            token.groups = std::move(net.groups);
            out.groups_source = "netapi";
            if (!net.problems.empty()) {
                out.partial = true;
                out.partial_reason = "group membership is incomplete: " + join(net.problems);
            }
        } else {
            out.groups_source = "account only";
            out.partial = true;
            out.partial_reason = "group membership could not be enumerated (" +
                                 authz.error().message + "; " + join(net.problems) +
                                 "): only the account's own SID and well-known groups count";
        }
    }
    acl::add_well_known_groups(token,
                               out.local ? acl::AccountScope::local : acl::AccountScope::domain);
    out.token = std::move(token);
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
    const std::wstring computer = computer_name();
    Result<Lookup> found = fail("not looked up");
    switch (name->form) {
        case AccountForm::sid: {
            auto sid = Sid::parse(name->user);
            found = sid ? lookup_sid(sid.value()) : Result<Lookup>(sid.error());
            if (!found) {
                out.reason = "no account with the SID " + name->user +
                             " is known to this host or its domain: " + found.error().message;
                return out;
            }
            break;
        }
        case AccountForm::local_user:
            out.local = true;
            found = lookup_name(computer + L"\\" + to_wide(name->user));
            if (!found) {
                out.reason =
                    "the local account \"" + name->user + "\" does not exist on " +
                    to_utf8(computer) +
                    " (the credential is configured as a local account): " + found.error().message;
                return out;
            }
            break;
        case AccountForm::domain_user:
            out.local = same_text(to_wide(name->domain), computer);
            [[fallthrough]];
        case AccountForm::upn:
        case AccountForm::plain:
            found = lookup_name(to_wide(account));
            if (!found) {
                out.reason = std::string(out.local ? "the local account \"" : "the account \"") +
                             account + "\" does not resolve on this host: " + found.error().message;
                return out;
            }
            break;
    }
    const Lookup& who = found.value();
    const bool answered_local = same_text(who.domain, computer);
    if (out.local && !answered_local) {
        out.reason = "\"" + account + "\" should be a local account of " + to_utf8(computer) +
                     " but resolved to " + qualified(who);
        return out;
    }
    out.local = answered_local;
    if (!is_account(who)) {
        out.reason = "\"" + account + "\" resolves to " + qualified(who) +
                     ", which is a group or a domain, not a user account";
        return out;
    }
    out.resolved = true;
    out.resolved_text = who.sid.to_string();
    out.display = qualified(who) + " (" + out.resolved_text + ")";
    if (with_groups) {
        enumerate_groups(out, who);
    } else {
        acl::AccessToken token;
        token.user = who.sid;
        out.token = std::move(token);
    }
    return out;
}

std::string describe_sid(const acl::Sid& sid) {
    if (auto found = lookup_sid(sid)) {
        return qualified(found.value()) + " (" + sid.to_string() + ")";
    }
    if (const auto name = acl::well_known_name(sid)) {
        return std::string(*name) + " (" + sid.to_string() + ")";
    }
    return sid.to_string();
}

std::string describe_uid(std::uint32_t uid) {
    return "uid " + std::to_string(uid);
}

std::string describe_gid(std::uint32_t gid) {
    return "gid " + std::to_string(gid);
}

}  // namespace psguard
