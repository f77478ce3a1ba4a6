#include <windows.h>

#include <cstring>
#include <memory>
#include <vector>

#include "config/config_overrides.hpp"
#include "platform/win_handle.hpp"
#include "platform/win_text.hpp"

namespace psguard {

Result<ConfigOverrides> read_installer_overrides(std::string_view registry_key) {
    const std::string origin = "HKLM\\" + std::string(registry_key);
    HKEY raw = nullptr;
    // KEY_WOW64_64KEY: the MSI is x64 and writes the 64-bit view.
    LSTATUS status = RegOpenKeyExW(HKEY_LOCAL_MACHINE, to_wide(registry_key).c_str(), 0,
                                   KEY_QUERY_VALUE | KEY_WOW64_64KEY, &raw);
    if (status == ERROR_FILE_NOT_FOUND) {
        return ConfigOverrides{};  // installed without the MSI, or no property given
    }
    if (status != ERROR_SUCCESS) {
        return fail(origin + ": cannot open: " + win_error_text(static_cast<DWORD>(status)));
    }
    RegKey key(raw);
    DWORD values = 0;
    DWORD longest_name = 0;
    DWORD longest_data = 0;
    status = RegQueryInfoKeyW(key.get(), nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                              &values, &longest_name, &longest_data, nullptr, nullptr);
    if (status != ERROR_SUCCESS) {
        return fail(origin + ": cannot read: " + win_error_text(static_cast<DWORD>(status)));
    }
    ConfigOverrides overrides;
    std::vector<wchar_t> name(longest_name + 1);
    std::vector<BYTE> data(longest_data + sizeof(wchar_t));
    for (DWORD index = 0; index < values; ++index) {
        DWORD name_chars = static_cast<DWORD>(name.size());
        DWORD data_bytes = static_cast<DWORD>(data.size());
        DWORD type = REG_NONE;
        status = RegEnumValueW(key.get(), index, name.data(), &name_chars, nullptr, &type,
                               data.data(), &data_bytes);
        if (status != ERROR_SUCCESS) {
            return fail(origin + ": cannot read value " + std::to_string(index) + ": " +
                        win_error_text(static_cast<DWORD>(status)));
        }
        ConfigOverride item;
        item.key = to_utf8(std::wstring_view(name.data(), name_chars));
        item.origin = origin;
        if (type == REG_SZ || type == REG_EXPAND_SZ) {
            std::wstring_view text(reinterpret_cast<const wchar_t*>(data.data()),
                                   data_bytes / sizeof(wchar_t));
            while (!text.empty() && text.back() == L'\0') {
                text.remove_suffix(1);
            }
            item.value = to_utf8(text);
        } else if (type == REG_DWORD && data_bytes == sizeof(DWORD)) {
            DWORD number = 0;
            std::memcpy(&number, data.data(), sizeof(number));
            item.value = std::to_string(number);
        } else {
            return fail(origin + ": value \"" + item.key + "\" must be REG_SZ or REG_DWORD");
        }
        // The name must be an overridable key: checked here so the message names the registry.
        if (auto checked = parse_set_option(item.key + "=" + item.value, origin); !checked) {
            return checked.error();
        }
        overrides.push_back(std::move(item));
    }
    return overrides;
}

}  // namespace psguard
