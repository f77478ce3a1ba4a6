// Facts about this machine that the configuration's defaults come from.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace psguard {

struct AgentLocations {
    std::filesystem::path package_delivery;
    std::filesystem::path package_status;
};

// This host's name as the NS knows it (NetBIOS name on Windows, short host name on POSIX).
std::string local_host_name();

// Where the Symantec agent keeps Package Delivery and PackageStatus on this machine, detected
// from its install folder; nullopt when no agent is found.
std::optional<AgentLocations> detect_agent_locations();

// The Symantec agent's install folder (Windows: InstallDir from the registry, 64-bit view then
// 32-bit view, platform/agent_registry.hpp; POSIX:
// /opt/altiris/notification/nsagent when it exists); nullopt when no agent is found.
std::optional<std::filesystem::path> agent_install_dir();

// %ProgramData% on Windows; nullopt elsewhere.
std::optional<std::filesystem::path> program_data_dir();

// %PUBLIC% (C:\Users\Public) on Windows; nullopt elsewhere.
std::optional<std::filesystem::path> public_dir();

// %ProgramData%\psguard\psguard.json or /etc/psguard/psguard.json.
std::filesystem::path default_config_file();

// %ProgramData%\psguard or /var/lib/psguard.
std::filesystem::path default_state_dir();

// A folder of the operating system or shared by every program, which psguard never takes as its
// state folder (whose mode it would set and whose content it would own).
struct SystemFolder {
    std::filesystem::path path;
    bool whole_tree = false;  // nor any folder below it (/proc, C:\Windows)
};

// POSIX: /, /etc, /usr, /var, /var/lib, /tmp, ... and /proc, /sys, /dev, /boot with their trees;
// Windows: the Windows folder with its tree, Program Files (both), ProgramData, Users. A drive
// root is refused by the caller on every platform.
std::vector<SystemFolder> system_folders();

}  // namespace psguard
