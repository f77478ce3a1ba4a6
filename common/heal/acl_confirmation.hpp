// Where the Symantec agent manages package folders' DACLs itself (Windows: while it updates a
// package it leaves only SYSTEM and Administrators on its folder), an ACL finding may be the
// agent at work. So there a finding counts (blocks heal, leads to acl.repair) only once the
// same folder has missed the same rights on heal.confirm_cycles cycles in a row; elsewhere every
// finding counts at once.
#pragma once

#include "acl/acl_config.hpp"
#include "acl/acl_inspector.hpp"
#include "heal/heal_history.hpp"

namespace psguard {

// The ACL report with the findings not yet confirmed left out; remembers each finding's streak
// in `history` (a finding not seen this cycle starts again from one).
AclReport confirmed_acl(const AclReport& acl, const AclConfig& config, int confirm_cycles,
                        HealHistory& history);

}  // namespace psguard
