#include "acl/acl_config.hpp"

namespace psguard {

Result<acl::AccessMask> required_access_mask(const std::vector<std::string>& names) {
    if (names.empty()) {
        return fail("acl.required_rights is empty: name at least one right (e.g. \"modify\")");
    }
    acl::AccessMask mask = 0;
    for (const auto& name : names) {
        const auto right = acl::right_from_name(name);
        if (!right) {
            return fail("acl.required_rights: unknown right \"" + name +
                        "\" (expected e.g. \"modify\", \"full control\", \"read and execute\", "
                        "\"write data\", \"delete child\")");
        }
        mask |= *right;
    }
    return mask;
}

Status validate_acl_config(const AclConfig& config) {
    auto mask = required_access_mask(config.required_rights);
    if (!mask) {
        return mask.error();
    }
    return {};
}

}  // namespace psguard
