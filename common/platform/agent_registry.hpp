// What the Symantec agent records about itself in the Windows registry, and the portable choice
// of which value wins. Reading is the seam (agent_registry_windows.cpp: RegGetValueW in the
// 64-bit and the 32-bit view; agent_registry_posix.cpp: no registry, nothing found); the order
// and the fallbacks are portable (agent_registry.cpp) and unit-tested on every platform.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace psguard {

// Under HKEY_LOCAL_MACHINE. The agent's log folder lives in the subkey kAgentLogSubkey.
inline constexpr std::string_view kAgentRegistryKey = "SOFTWARE\\Altiris\\Altiris Agent";
inline constexpr std::string_view kAgentLogSubkey = "Event Logging\\LogFile";

// Each value as found in one registry view; nullopt when absent or empty.
struct AgentRegistry {
    std::string key;  // the key read, e.g. "SOFTWARE\Altiris\Altiris Agent"
    std::optional<std::filesystem::path> install_dir_64;  // InstallDir, 64-bit view
    std::optional<std::filesystem::path> install_dir_32;  // InstallDir, 32-bit view (Wow6432Node)
    std::optional<std::filesystem::path> log_path_64;     // Event Logging\LogFile\FilePath
    std::optional<std::filesystem::path> log_path_32;
};

// Windows: the values under HKLM\<key> in both views (REG_EXPAND_SZ expanded). POSIX: nothing.
AgentRegistry read_agent_registry(std::string_view key = kAgentRegistryKey);

// The agent's folder: the 64-bit view's InstallDir, else the 32-bit view's (a 32-bit agent, or
// one installed by a 32-bit installer, writes only there).
std::optional<std::filesystem::path> agent_install_dir_from(const AgentRegistry& registry);

// The agent's log folder from Event Logging\LogFile\FilePath (64-bit view first). The value
// names the folder (KB 176864); should it name a .log file, its folder is taken.
std::optional<std::filesystem::path> agent_log_dir_from(const AgentRegistry& registry);

// Every value psguard looked for, as "HKLM\<key>\<value> (64-bit view)" -> the value or
// "(absent)", for `psguard collect` and the documentation.
std::vector<std::pair<std::string, std::string>> describe(const AgentRegistry& registry);

}  // namespace psguard
