#include "config/config_overrides.hpp"

namespace psguard {

// No installer store outside Windows: the .deb ships /etc/psguard/psguard.json as a conffile and
// the administrator edits that file.
Result<ConfigOverrides> read_installer_overrides(std::string_view) {
    return ConfigOverrides{};
}

}  // namespace psguard
