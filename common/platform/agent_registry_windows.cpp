#include <windows.h>

#include <vector>

#include "platform/agent_registry.hpp"
#include "platform/win_handle.hpp"
#include "platform/win_text.hpp"

namespace psguard {
namespace {

// One REG_SZ / REG_EXPAND_SZ value (expanded) in one view; nullopt when absent or empty. The
// view is chosen when opening the key: Wine's RegGetValueW ignores RRF_SUBKEY_WOW6432KEY.
std::optional<std::filesystem::path> read_value(const std::wstring& key, const wchar_t* name,
                                                REGSAM view) {
    HKEY raw = nullptr;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, key.c_str(), 0, KEY_QUERY_VALUE | view, &raw) !=
        ERROR_SUCCESS) {
        return std::nullopt;
    }
    const RegKey opened(raw);
    // RRF_RT_REG_SZ takes REG_EXPAND_SZ too, expanded (RRF_RT_REG_EXPAND_SZ would need
    // RRF_NOEXPAND: without it the call fails with ERROR_INVALID_PARAMETER).
    const DWORD flags = RRF_RT_REG_SZ;
    DWORD bytes = 0;
    if (RegGetValueW(opened.get(), nullptr, name, flags, nullptr, nullptr, &bytes) !=
            ERROR_SUCCESS ||
        bytes < sizeof(wchar_t)) {
        return std::nullopt;
    }
    std::vector<wchar_t> buffer(bytes / sizeof(wchar_t) + 1, L'\0');
    bytes = static_cast<DWORD>(buffer.size() * sizeof(wchar_t));
    if (RegGetValueW(opened.get(), nullptr, name, flags, nullptr, buffer.data(), &bytes) !=
        ERROR_SUCCESS) {
        return std::nullopt;
    }
    const std::wstring text(buffer.data());
    if (text.empty()) {
        return std::nullopt;
    }
    return std::filesystem::path(text);
}

}  // namespace

AgentRegistry read_agent_registry(std::string_view key) {
    AgentRegistry registry;
    registry.key = std::string(key);
    const std::wstring agent = to_wide(key);
    const std::wstring log = agent + L"\\" + to_wide(kAgentLogSubkey);
    // KEY_WOW64_64KEY / KEY_WOW64_32KEY choose the view whatever this process's bitness.
    registry.install_dir_64 = read_value(agent, L"InstallDir", KEY_WOW64_64KEY);
    registry.install_dir_32 = read_value(agent, L"InstallDir", KEY_WOW64_32KEY);
    registry.log_path_64 = read_value(log, L"FilePath", KEY_WOW64_64KEY);
    registry.log_path_32 = read_value(log, L"FilePath", KEY_WOW64_32KEY);
    return registry;
}

}  // namespace psguard
