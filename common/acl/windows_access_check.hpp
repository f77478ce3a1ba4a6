// The Windows discretionary access check, evaluated on the portable model for one account.
// Deliberately not GetEffectiveRightsFromAcl, which gets inherited deny ACEs wrong; the
// algorithm is AccessCheck's for a DACL:
//   - no DACL grants everything; an empty DACL grants nothing;
//   - the owner gets "read permissions" and "change permissions" up front, unless an
//     OWNER RIGHTS (S-1-3-4) ACE is present, which then decides the owner's rights instead;
//   - ACEs are walked in their stored order (canonical or not); inherit-only ACEs are skipped;
//     an ACE applies when its trustee is the account, one of its groups, or OWNER RIGHTS for the
//     owner; deny-only groups apply to deny ACEs only;
//   - for every right, the first applicable ACE that covers it decides: an allow ACE grants the
//     rights not yet denied, a deny ACE denies the rights not yet granted;
//   - generic rights in an ACE are mapped to file rights first.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "acl/acl_model.hpp"

namespace psguard::acl {

// Who asks: what an access token for the account would hold.
struct AccessToken {
    Sid user;
    std::vector<Sid> groups;            // enabled groups, well-known ones included
    std::vector<Sid> deny_only_groups;  // SE_GROUP_USE_FOR_DENY_ONLY: match deny ACEs only
};

enum class AccountScope { local, domain };

// Adds the groups every logon of such an account has, when missing: Everyone, Authenticated
// Users, BUILTIN\Users (which holds Authenticated Users by default), and This Organization
// (domain) or Local account (local). Logon-type groups (INTERACTIVE, NETWORK, SERVICE, BATCH)
// depend on how the agent logs on and are not added.
void add_well_known_groups(AccessToken& token, AccountScope scope);

// The ACE that took away a right the caller needed.
struct DenyingAce {
    std::size_t index = 0;  // position in the DACL, from 0
    Ace ace;
    friend bool operator==(const DenyingAce&, const DenyingAce&) = default;
};

struct AccessCheck {
    AccessMask required = 0;  // generic rights mapped
    AccessMask granted = 0;   // everything the account gets, required or not
    AccessMask missing = 0;   // required & ~granted
    // The first deny ACE (lowest index) that denied a missing right; nullopt when the missing
    // rights are simply not granted by any ACE.
    std::optional<DenyingAce> denied_by;
    bool dacl_absent = false;
    // Indices of effective (not inherit-only) ACEs of a kind the model does not evaluate
    // (object and callback ACEs): the answer may be incomplete when this is not empty.
    std::vector<std::size_t> unevaluated;

    bool ok() const { return missing == 0; }
};

AccessCheck check_access(const SecurityDescriptor& descriptor, const AccessToken& token,
                         AccessMask required);

}  // namespace psguard::acl
