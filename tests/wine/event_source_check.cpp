// Run under Wine after `psguard service install` (tests/wine/event_log.sh): does the registered
// Event Log source resolve psguard's messages as Event Viewer would? Reads the source's
// EventMessageFile from the registry, loads that file as data, formats every EventId with
// FormatMessage from its message table, and reads the version resource with
// GetFileVersionInfo. Prints one line per check; exits 0 when all hold.
//   psguard_event_source_check.exe <expected version, e.g. 0.1.0>
#include <windows.h>

#include <cstdio>
#include <string>
#include <vector>

#include "logging/event_ids.hpp"
#include "platform/win_text.hpp"

namespace {

using psguard::to_utf8;
using psguard::to_wide;

int failures = 0;

void check(bool ok, const std::string& what) {
    std::printf("%s %s\n", ok ? "ok" : "FAIL", what.c_str());
    failures += ok ? 0 : 1;
}

std::wstring registered_message_file() {
    HKEY key = nullptr;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE,
                      L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\psguard", 0,
                      KEY_READ, &key) != ERROR_SUCCESS) {
        return {};
    }
    std::vector<wchar_t> value(4096, L'\0');
    DWORD bytes = static_cast<DWORD>(value.size() * sizeof(wchar_t));
    DWORD type = 0;
    const LONG read = RegQueryValueExW(key, L"EventMessageFile", nullptr, &type,
                                       reinterpret_cast<BYTE*>(value.data()), &bytes);
    RegCloseKey(key);
    if (read != ERROR_SUCCESS || (type != REG_EXPAND_SZ && type != REG_SZ)) {
        return {};
    }
    std::vector<wchar_t> expanded(32768, L'\0');
    if (ExpandEnvironmentStringsW(value.data(), expanded.data(),
                                  static_cast<DWORD>(expanded.size())) == 0) {
        return {};
    }
    return expanded.data();
}

// The message text of `id` with "<detail>" as %1, as Event Viewer builds it.
std::string format_event(HMODULE module, DWORD id) {
    const std::wstring detail = L"<detail>";
    DWORD_PTR arguments[] = {reinterpret_cast<DWORD_PTR>(detail.c_str())};
    LPWSTR text = nullptr;
    const DWORD length =
        FormatMessageW(FORMAT_MESSAGE_FROM_HMODULE | FORMAT_MESSAGE_ALLOCATE_BUFFER |
                           FORMAT_MESSAGE_ARGUMENT_ARRAY,
                       module, id, MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US),
                       reinterpret_cast<LPWSTR>(&text), 0, reinterpret_cast<va_list*>(arguments));
    if (length == 0 || text == nullptr) {
        return {};
    }
    std::string utf8 = to_utf8(std::wstring_view(text, length));
    LocalFree(text);
    return utf8;
}

std::string version_string(const std::vector<BYTE>& info, const wchar_t* name) {
    wchar_t* value = nullptr;
    UINT length = 0;
    const std::wstring path = std::wstring(L"\\StringFileInfo\\040904b0\\") + name;
    if (!VerQueryValueW(info.data(), path.c_str(), reinterpret_cast<void**>(&value), &length) ||
        value == nullptr || length == 0) {
        return {};
    }
    return to_utf8(std::wstring_view(value, length - 1));  // length counts the terminator
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <expected version>\n", argv[0]);
        return 2;
    }
    const std::string expected_version = argv[1];

    const std::wstring file = registered_message_file();
    check(!file.empty(), "EventMessageFile of source psguard: " + to_utf8(file));
    if (file.empty()) {
        return 1;
    }
    HMODULE module = LoadLibraryExW(file.c_str(), nullptr,
                                    LOAD_LIBRARY_AS_DATAFILE | LOAD_LIBRARY_AS_IMAGE_RESOURCE);
    check(module != nullptr, "the message file loads as a resource module");
    if (module == nullptr) {
        return 1;
    }
    for (const psguard::EventId id : psguard::kAllEventIds) {
        const std::string text = format_event(module, static_cast<DWORD>(id));
        check(!text.empty() && text.find("<detail>") != std::string::npos,
              "event " + std::to_string(static_cast<unsigned>(id)) + ": " +
                  text.substr(0, text.find('\r')));
    }
    check(format_event(module, 4242).empty(), "an ID psguard does not use has no message");
    FreeLibrary(module);

    DWORD handle = 0;
    const DWORD size = GetFileVersionInfoSizeW(file.c_str(), &handle);
    std::vector<BYTE> info(size);
    check(size > 0 && GetFileVersionInfoW(file.c_str(), 0, size, info.data()),
          "GetFileVersionInfo reads a version resource");
    if (size == 0) {
        return 1;
    }
    VS_FIXEDFILEINFO* fixed = nullptr;
    UINT fixed_length = 0;
    const bool has_fixed =
        VerQueryValueW(info.data(), L"\\", reinterpret_cast<void**>(&fixed), &fixed_length) &&
        fixed != nullptr && fixed->dwSignature == 0xFEEF04BD;
    const std::string fixed_version = has_fixed
                                          ? std::to_string(HIWORD(fixed->dwFileVersionMS)) + "." +
                                                std::to_string(LOWORD(fixed->dwFileVersionMS)) +
                                                "." + std::to_string(HIWORD(fixed->dwFileVersionLS))
                                          : std::string("?");
    check(fixed_version == expected_version, "fixed file version " + fixed_version);
    for (const auto& [name, expected] :
         {std::pair{L"FileVersion", expected_version},
          std::pair{L"ProductVersion", expected_version},
          std::pair{L"ProductName", std::string("psguard")},
          std::pair{L"OriginalFilename", std::string("psguard.exe")}}) {
        const std::string value = version_string(info, name);
        check(value == expected, to_utf8(name) + " \"" + value + "\"");
    }
    for (const wchar_t* name : {L"CompanyName", L"FileDescription"}) {
        const std::string value = version_string(info, name);
        check(!value.empty(), to_utf8(name) + " \"" + value + "\"");
    }
    return failures == 0 ? 0 : 1;
}
