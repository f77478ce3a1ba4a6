#include "acl/windows_access_check.hpp"

#include <algorithm>
#include <array>

namespace psguard::acl {
namespace {

bool contains(const std::vector<Sid>& sids, const Sid& sid) {
    return std::find(sids.begin(), sids.end(), sid) != sids.end();
}

bool is_owner(const SecurityDescriptor& descriptor, const AccessToken& token) {
    return descriptor.owner &&
           (*descriptor.owner == token.user || contains(token.groups, *descriptor.owner));
}

// Whether an ACE's trustee stands for this caller. CREATOR OWNER/GROUP never do: they are
// placeholders replaced when the ACE is inherited.
bool applies(const Ace& ace, const AccessToken& token, bool owner) {
    if (ace.trustee == token.user || contains(token.groups, ace.trustee)) {
        return true;
    }
    if (ace.kind == AceKind::deny && contains(token.deny_only_groups, ace.trustee)) {
        return true;
    }
    return owner && ace.trustee == well_known::owner_rights();
}

void add_missing(AccessToken& token, const Sid& sid) {
    if (token.user != sid && !contains(token.groups, sid)) {
        token.groups.push_back(sid);
    }
}

}  // namespace

void add_well_known_groups(AccessToken& token, AccountScope scope) {
    add_missing(token, well_known::everyone());
    add_missing(token, well_known::authenticated_users());
    add_missing(token, well_known::builtin_users());
    add_missing(token, scope == AccountScope::domain ? well_known::this_organization()
                                                     : well_known::local_account());
}

AccessCheck check_access(const SecurityDescriptor& descriptor, const AccessToken& token,
                         AccessMask required) {
    AccessCheck check;
    check.required = map_generic(required) & ~rights::maximum_allowed;
    if (!descriptor.dacl) {
        check.dacl_absent = true;
        check.granted = rights::file_all_access;
        check.missing = check.required & ~check.granted;
        return check;
    }
    const auto& aces = descriptor.dacl->aces;
    const bool owner = is_owner(descriptor, token);

    AccessMask granted = 0;
    AccessMask denied = 0;
    std::array<std::size_t, 32> denied_at{};  // per bit: the deny ACE that decided it
    if (owner) {
        const bool owner_rights_ace = std::any_of(aces.begin(), aces.end(), [](const Ace& ace) {
            return !ace.inherit_only() && ace.trustee == well_known::owner_rights();
        });
        if (!owner_rights_ace) {
            granted = rights::read_control | rights::write_dac;
        }
    }
    for (std::size_t i = 0; i < aces.size(); ++i) {
        const Ace& ace = aces[i];
        if (ace.inherit_only()) {
            continue;  // applies to children only
        }
        if (ace.kind == AceKind::other) {
            check.unevaluated.push_back(i);
            continue;
        }
        if (!applies(ace, token, owner)) {
            continue;
        }
        // Only rights nobody has decided yet: the first ACE covering a right wins.
        const AccessMask fresh = map_generic(ace.mask) & ~granted & ~denied;
        if (ace.kind == AceKind::allow) {
            granted |= fresh;
        } else {
            denied |= fresh;
            for (std::size_t bit = 0; bit < 32; ++bit) {
                if ((fresh >> bit & 1u) != 0) {
                    denied_at[bit] = i;
                }
            }
        }
    }
    check.granted = granted;
    check.missing = check.required & ~granted;
    const AccessMask missing_denied = check.missing & denied;
    for (std::size_t bit = 0; bit < 32; ++bit) {
        if ((missing_denied >> bit & 1u) != 0 &&
            (!check.denied_by || denied_at[bit] < check.denied_by->index)) {
            check.denied_by = DenyingAce{denied_at[bit], aces[denied_at[bit]]};
        }
    }
    return check;
}

}  // namespace psguard::acl
