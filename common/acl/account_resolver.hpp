// The credential account from the configuration, resolved on this host: a SID and the groups an
// access token for it would hold (Windows), or a uid and its group ids (Linux).
// Windows: account_resolver_windows.cpp, POSIX: account_resolver_posix.cpp; the name parsing is
// portable (account_name.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "acl/posix_acl_model.hpp"
#include "acl/windows_access_check.hpp"
#include "core/result.hpp"

namespace psguard {

enum class AccountForm {
    domain_user,  // DOMAIN\user
    local_user,   // .\user: an account of this machine
    upn,          // user@domain
    sid,          // S-1-5-21-...
    plain,        // user (Linux: the normal form)
};

struct AccountName {
    AccountForm form = AccountForm::plain;
    std::string domain;  // DOMAIN, "." for local_user, the part after '@' for upn
    std::string user;    // the user name, or the SID string for `sid`
};

// Splits and checks the configured text; an error says what is wrong with it.
Result<AccountName> parse_account_name(std::string_view text);

struct ResolvedAccount {
    std::string account;  // as configured
    bool resolved = false;
    std::string reason;  // why it did not resolve, in plain words
    // The account is a local account of this host (".\user", "HOST\user", or what the lookup
    // answered). A local credential that does not resolve is a finding in itself.
    bool local = false;
    std::string resolved_text;  // "S-1-5-21-...-1001" or "uid 65534"
    std::string display;        // "HOST\svc (S-1-5-21-...-1001)", "nobody (uid 65534)"

    std::optional<acl::AccessToken> token;       // Windows
    std::optional<acl::PosixIdentity> identity;  // POSIX

    // Group membership could not be (fully) enumerated: the result is only as good as the
    // groups that were found.
    bool partial = false;
    std::string partial_reason;
    std::string groups_source;  // "authz", "netapi", "account only", "getgrouplist"
};

// Resolves and, unless `with_groups` is false, enumerates the account's groups.
// Windows: LookupAccountNameW/LookupAccountSidW, then an Authz client context, falling back to
// NetUserGetGroups + NetUserGetLocalGroups, falling back to the account's SID alone (partial).
// POSIX: getpwnam_r and getgrouplist.
ResolvedAccount resolve_account(const std::string& account, bool with_groups = true);

// Names for reports: "BUILTIN\Users (S-1-5-32-545)"; the SID alone when no name is known.
std::string describe_sid(const acl::Sid& sid);
// "daemon (uid 1)" / "uid 4242"; "daemon (gid 1)" / "gid 4242".
std::string describe_uid(std::uint32_t uid);
std::string describe_gid(std::uint32_t gid);

}  // namespace psguard
