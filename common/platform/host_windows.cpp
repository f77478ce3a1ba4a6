#include <windows.h>

#include <knownfolders.h>
#include <shlobj.h>

#include <array>
#include <system_error>

#include "core/utf8_path.hpp"
#include "platform/agent_registry.hpp"
#include "platform/host.hpp"

namespace psguard {
namespace {

std::filesystem::path known_folder_from_env(const wchar_t* variable, const wchar_t* fallback) {
    std::array<wchar_t, MAX_PATH> buffer{};
    const DWORD length =
        GetEnvironmentVariableW(variable, buffer.data(), static_cast<DWORD>(buffer.size()));
    if (length == 0 || length >= buffer.size()) {
        return fallback;
    }
    return std::filesystem::path(buffer.data());
}

// A known folder as the shell knows it, not as the environment says: a service's environment
// need not have the variable (Wine gives services C:\users\Public for %ProgramData%), while the
// MSI installs into the known folder (CommonAppDataFolder).
std::filesystem::path known_folder(REFKNOWNFOLDERID id, const wchar_t* variable,
                                   const wchar_t* fallback) {
    PWSTR raw = nullptr;
    const HRESULT result = SHGetKnownFolderPath(id, 0, nullptr, &raw);
    std::filesystem::path folder;
    if (SUCCEEDED(result) && raw != nullptr) {
        folder = raw;
    }
    CoTaskMemFree(raw);
    if (!folder.empty()) {
        return folder;
    }
    return variable != nullptr ? known_folder_from_env(variable, fallback) : fallback;
}

std::filesystem::path program_data() {
    return known_folder(FOLDERID_ProgramData, L"ProgramData", L"C:\\ProgramData");
}

}  // namespace

std::string local_host_name() {
    std::array<wchar_t, MAX_COMPUTERNAME_LENGTH + 1> name{};
    DWORD size = static_cast<DWORD>(name.size());
    if (!GetComputerNameW(name.data(), &size)) {
        return "localhost";
    }
    return path_to_utf8(std::filesystem::path(std::wstring(name.data(), size)));
}

std::optional<std::filesystem::path> agent_install_dir() {
    return agent_install_dir_from(read_agent_registry());
}

std::optional<AgentLocations> detect_agent_locations() {
    const auto install_dir = agent_install_dir();
    if (!install_dir) {
        return std::nullopt;
    }
    const std::filesystem::path& root = *install_dir;
    AgentLocations locations;
    locations.package_delivery = root / L"Package Delivery";
    // Older agents say "Package Status", newer "PackageStatus": take the one that exists.
    const auto joined = root / L"Package Server Agent" / L"PackageStatus";
    const auto spaced = root / L"Package Server Agent" / L"Package Status";
    std::error_code ec;
    locations.package_status =
        !std::filesystem::exists(joined, ec) && std::filesystem::exists(spaced, ec) ? spaced
                                                                                    : joined;
    return locations;
}

std::optional<std::filesystem::path> program_data_dir() {
    return program_data();
}

std::optional<std::filesystem::path> public_dir() {
    std::filesystem::path folder = known_folder(FOLDERID_Public, nullptr, L"");
    if (folder.empty()) {
        return std::nullopt;
    }
    return folder;
}

std::filesystem::path default_config_file() {
    return program_data() / L"psguard" / L"psguard.json";
}

std::filesystem::path default_state_dir() {
    return program_data() / L"psguard";
}

std::vector<SystemFolder> system_folders() {
    return {
        {known_folder(FOLDERID_Windows, L"SystemRoot", L"C:\\Windows"), true},
        {known_folder(FOLDERID_ProgramFiles, L"ProgramFiles", L"C:\\Program Files"), false},
        {known_folder(FOLDERID_ProgramFilesX86, L"ProgramFiles(x86)", L"C:\\Program Files (x86)"),
         false},
        {program_data(), false},
        {known_folder(FOLDERID_UserProfiles, nullptr, L"C:\\Users"), false},
    };
}

}  // namespace psguard
