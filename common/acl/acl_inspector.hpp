// The ACL check of the cycle: does the Package Service credential account hold the required
// rights on the Package Delivery root, the PackageStatus root and each package folder?
// One AclResult per path says what is required, granted and missing, in plain words, and which
// ACE (or POSIX ACL entry) took it away.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "acl/account_resolver.hpp"
#include "acl/acl_config.hpp"
#include "acl/security_reader.hpp"

namespace psguard {

struct DeniedBy {
    std::size_t index = 0;  // position in the DACL (or POSIX ACL), from 0
    std::string trustee;    // "Everyone (S-1-1-0)", "group:daemon (gid 1)", "mask", ...
    bool inherited = false;
    friend bool operator==(const DeniedBy&, const DeniedBy&) = default;
};

struct AclResult {
    std::string path;      // UTF-8
    std::string account;   // as configured
    std::string resolved;  // "S-1-5-21-...-1001" or "uid 65534"
    bool ok = false;
    std::vector<std::string> required;  // plain words, e.g. "write data", "delete child"
    std::vector<std::string> granted;
    std::vector<std::string> missing;
    std::optional<DeniedBy> denied_by;  // nullopt: nothing denies, the rights are just not granted
    bool partial = false;               // group membership (or some ACEs) could not be evaluated
    std::string error;                  // the path could not be read; ok is false
    // Set when the path is a link: psguard checks no permissions through links, so this entry
    // is neither ok nor a missing right ("a symlink to /srv/x; ..."). The scan reports the link.
    std::string not_checked;

    // The check ran and found the rights missing (or could not read them): what fails a report.
    bool problem() const { return !ok && not_checked.empty(); }
};

struct AclReport {
    std::string account;
    bool configured = false;  // false: no credential account, nothing inspected
    bool account_resolved = false;
    bool local_account = false;
    std::string resolved;  // SID or uid text, when resolved
    std::string display;   // "HOST\svc (S-1-5-21-...)", "nobody (uid 65534)"
    bool partial = false;
    std::string groups_source;
    // Why nothing (or not everything) was inspected: no account configured, the account does
    // not resolve (a finding in itself), a bad acl.required_rights, partial group membership.
    std::string note;
    std::vector<AclResult> results;

    // Strict: configured, resolved, and every path holds the required rights (links, which are
    // not checked, aside).
    bool ok() const;
};

// Resolves the account once, then checks every root and package folder, in that order.
AclReport inspect_acls(const std::string& account, const std::vector<std::filesystem::path>& roots,
                       const std::vector<std::filesystem::path>& package_dirs,
                       const AclConfig& config);

// The same check for an incremental cycle: the roots and the `recheck` folders are read again,
// every other package folder keeps its result from `previous` (a check of the same account);
// a folder `previous` did not check is checked. Results come in the order of a full check.
AclReport inspect_acls_reusing(const std::string& account,
                               const std::vector<std::filesystem::path>& roots,
                               const std::vector<std::filesystem::path>& package_dirs,
                               const AclConfig& config, const AclReport& previous,
                               const std::set<std::filesystem::path>& recheck);

// The decision for one path from what was read; inspect_acls uses it, tests call it directly.
// `required` is in Windows rights (acl_model.hpp); a POSIX ACL is checked for the POSIX
// permissions they amount to (posix_perms_for).
AclResult evaluate_path(const std::filesystem::path& path, const ResolvedAccount& who,
                        const PathSecurity& security, acl::AccessMask required);

// Keys: path, account, resolved, ok, required, granted, missing, denied_by ({index, trustee,
// inherited} or null), partial, error only when the path could not be read, and not_checked
// only for a link (then ok is null).
nlohmann::json to_json(const AclResult& result);
// Keys: account, configured, account_resolved, local_account, resolved, display, partial,
// groups_source, note, ok, results.
nlohmann::json to_json(const AclReport& report);

}  // namespace psguard
