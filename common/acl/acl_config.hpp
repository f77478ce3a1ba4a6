// The `acl` section of the configuration: which rights the credential account needs on the
// Package Delivery and PackageStatus folders, and whether psguard may grant them itself.
//   "acl": { "required_rights": ["modify"], "repair": false }
#pragma once

#include <string>
#include <vector>

#include "acl/acl_model.hpp"
#include "core/result.hpp"

namespace psguard {

struct AclConfig {
    // Names from the rights vocabulary (acl_model.hpp): individual rights ("write data",
    // "delete child", ...) or groups ("modify", "full control", "read and execute", "read",
    // "write", "create files and folders"); case-insensitive.
    std::vector<std::string> required_rights{"modify"};
    // Opt-in: add one explicit allow ACE (or a named-user ACL entry on Linux) for the account
    // on each root when the check fails and psguard has the privilege to do it.
    bool repair = false;
    // The Symantec agent manages package folders' DACLs itself on Windows (while it updates a
    // package it leaves only SYSTEM and Administrators on its folder): so there, a package
    // folder whose local status is not Ready is not judged, and an ACL finding blocks or
    // repairs only once seen on heal.confirm_cycles cycles. Not a configuration key.
#ifdef _WIN32
    bool agent_manages_dacls = true;
#else
    bool agent_manages_dacls = false;
#endif
};

// The union of the named rights; an error naming the first unknown name, or an empty list.
Result<acl::AccessMask> required_access_mask(const std::vector<std::string>& names);

// For the configuration loader: the same checks, as a Status.
Status validate_acl_config(const AclConfig& config);

}  // namespace psguard
