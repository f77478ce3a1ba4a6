// UTF-8 <-> UTF-16 at the Win32 boundary. Windows-only; empty elsewhere.
#pragma once

#ifdef _WIN32

#include <windows.h>

#include <string>
#include <string_view>

namespace psguard {

inline std::wstring to_wide(std::string_view utf8) {
    if (utf8.empty()) {
        return {};
    }
    const int chars =
        MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), nullptr, 0);
    std::wstring wide(static_cast<std::size_t>(chars), L'\0');
    MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), wide.data(), chars);
    return wide;
}

// Never fails: NTFS names may hold unpaired surrogates, which become U+FFFD (no
// WC_ERR_INVALID_CHARS). For messages and reports, not for building paths back.
inline std::string to_utf8(std::wstring_view wide) {
    if (wide.empty()) {
        return {};
    }
    const int bytes = WideCharToMultiByte(CP_UTF8, 0, wide.data(), static_cast<int>(wide.size()),
                                          nullptr, 0, nullptr, nullptr);
    if (bytes <= 0) {
        return "?";
    }
    std::string utf8(static_cast<std::size_t>(bytes), '\0');
    WideCharToMultiByte(CP_UTF8, 0, wide.data(), static_cast<int>(wide.size()), utf8.data(), bytes,
                        nullptr, nullptr);
    return utf8;
}

// The system's text for a Win32 error code or an HRESULT, without the trailing period and line
// break; empty when the system has none.
inline std::string system_message(DWORD code) {
    wchar_t* buffer = nullptr;
    const DWORD length = FormatMessageW(
        FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
        nullptr, code, 0, reinterpret_cast<wchar_t*>(&buffer), 0, nullptr);
    std::wstring_view text(buffer != nullptr ? buffer : L"", buffer != nullptr ? length : 0);
    while (!text.empty() && (text.back() == L'\r' || text.back() == L'\n' || text.back() == L' ' ||
                             text.back() == L'.')) {
        text.remove_suffix(1);
    }
    std::string message = to_utf8(text);
    if (buffer != nullptr) {
        LocalFree(buffer);
    }
    return message;
}

// "Access is denied. (Win32 error 5)": the system's text for a Win32 error code.
inline std::string win_error_text(DWORD error) {
    std::string message = system_message(error);
    return (message.empty() ? std::string("unknown error") : message) + " (Win32 error " +
           std::to_string(error) + ")";
}

}  // namespace psguard

#endif  // _WIN32
