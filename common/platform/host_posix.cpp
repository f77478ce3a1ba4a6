#include <unistd.h>

#include <array>
#include <system_error>

#include "platform/host.hpp"

namespace psguard {
namespace {

// The Linux Package Server agent (ITMS 8.x) installs here.
const std::filesystem::path kLinuxAgentRoot = "/opt/altiris/notification/nsagent";

}  // namespace

std::string local_host_name() {
    std::array<char, 256> name{};
    if (gethostname(name.data(), name.size() - 1) != 0) {
        return "localhost";
    }
    std::string host = name.data();
    // The NS lists Package Servers by short name.
    if (const auto dot = host.find('.'); dot != std::string::npos) {
        host.resize(dot);
    }
    return host;
}

std::optional<std::filesystem::path> agent_install_dir() {
    std::error_code ec;
    if (std::filesystem::is_directory(kLinuxAgentRoot, ec)) {
        return kLinuxAgentRoot;
    }
    return std::nullopt;
}

std::optional<AgentLocations> detect_agent_locations() {
    if (!agent_install_dir()) {
        return std::nullopt;
    }
    std::error_code ec;
    AgentLocations locations;
    locations.package_delivery = kLinuxAgentRoot / "Package Delivery";
    locations.package_status = kLinuxAgentRoot / "Package Server Agent" / "PackageStatus";
    const auto spaced = kLinuxAgentRoot / "Package Server Agent" / "Package Status";
    if (!std::filesystem::exists(locations.package_status, ec) &&
        std::filesystem::exists(spaced, ec)) {
        locations.package_status = spaced;
    }
    return locations;
}

std::optional<std::filesystem::path> program_data_dir() {
    return std::nullopt;
}

std::optional<std::filesystem::path> public_dir() {
    return std::nullopt;
}

std::filesystem::path default_config_file() {
    return "/etc/psguard/psguard.json";
}

std::filesystem::path default_state_dir() {
    return "/var/lib/psguard";
}

std::vector<SystemFolder> system_folders() {
    std::vector<SystemFolder> folders;
    for (const char* tree : {"/proc", "/sys", "/dev", "/boot"}) {
        folders.push_back({tree, true});
    }
    for (const char* folder :
         {"/bin",       "/etc",     "/home",    "/lib",       "/lib32",    "/lib64",     "/media",
          "/mnt",       "/opt",     "/root",    "/run",       "/sbin",     "/srv",       "/tmp",
          "/usr",       "/usr/bin", "/usr/lib", "/usr/local", "/usr/sbin", "/usr/share", "/var",
          "/var/cache", "/var/lib", "/var/log", "/var/spool", "/var/tmp"}) {
        folders.push_back({folder, false});
    }
    return folders;
}

}  // namespace psguard
