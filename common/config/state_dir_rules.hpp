// Where psguard's state folder may not be. psguard owns that folder (its mode, the journal, the
// quarantine, the lock, the logs): inside a root its own writes would wake the folder watcher
// and start a cycle, forever; a system folder is no one's to take over.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "config/config.hpp"
#include "platform/host.hpp"

namespace psguard {

// Why `paths.state_dir` cannot be the state folder (a sentence naming the folder it collides
// with), or nullopt when it can. Refused: a drive root or `/`; equal to or inside a configured
// root (package_delivery, package_status, a storage root); equal to a system folder, or inside
// one whose whole tree is the system's. Paths are compared as written and with their links
// resolved, so a link to /etc is /etc.
std::optional<std::string> state_dir_problem(const PathsConfig& paths,
                                             std::span<const SystemFolder> system);

}  // namespace psguard
