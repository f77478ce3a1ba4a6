// windows.h first: the other Win32 headers depend on its types.
#include <windows.h>

#include <wincrypt.h>

#include <memory>
#include <vector>

#include "platform/secret_unprotect.hpp"
#include "platform/win_handle.hpp"

namespace psguard {
namespace {

// DPAPI hands out buffers that must go back through LocalFree.
using LocalBuffer = LocalPtr<BYTE>;

std::string windows_error_text(DWORD code) {
    return "Windows error " + std::to_string(code);
}

}  // namespace

Result<std::string> unprotect_secret(const std::string& base64_blob) {
    DWORD size = 0;
    if (!CryptStringToBinaryA(base64_blob.c_str(), static_cast<DWORD>(base64_blob.size()),
                              CRYPT_STRING_BASE64, nullptr, &size, nullptr, nullptr)) {
        return fail("the DPAPI blob is not valid base64");
    }
    std::vector<BYTE> blob(size);
    if (!CryptStringToBinaryA(base64_blob.c_str(), static_cast<DWORD>(base64_blob.size()),
                              CRYPT_STRING_BASE64, blob.data(), &size, nullptr, nullptr)) {
        return fail("the DPAPI blob is not valid base64");
    }
    DATA_BLOB in{size, blob.data()};
    DATA_BLOB out{};
    if (!CryptUnprotectData(&in, nullptr, nullptr, nullptr, nullptr, CRYPTPROTECT_UI_FORBIDDEN,
                            &out)) {
        return fail("CryptUnprotectData failed (" + windows_error_text(GetLastError()) +
                    "): the secret was protected on another machine or is damaged");
    }
    LocalBuffer owner(out.pbData);
    return std::string(reinterpret_cast<const char*>(out.pbData), out.cbData);
}

Result<std::string> protect_secret(const std::string& clear_text) {
    DATA_BLOB in{static_cast<DWORD>(clear_text.size()),
                 reinterpret_cast<BYTE*>(const_cast<char*>(clear_text.data()))};
    DATA_BLOB out{};
    // Machine scope: the service runs as LocalSystem, not as the administrator who protects it.
    if (!CryptProtectData(&in, L"psguard", nullptr, nullptr, nullptr,
                          CRYPTPROTECT_UI_FORBIDDEN | CRYPTPROTECT_LOCAL_MACHINE, &out)) {
        return fail("CryptProtectData failed (" + windows_error_text(GetLastError()) + ")");
    }
    LocalBuffer owner(out.pbData);
    DWORD chars = 0;
    const DWORD flags = CRYPT_STRING_BASE64 | CRYPT_STRING_NOCRLF;
    if (!CryptBinaryToStringA(out.pbData, out.cbData, flags, nullptr, &chars)) {
        return fail("CryptBinaryToStringA failed");
    }
    std::string text(chars, '\0');
    if (!CryptBinaryToStringA(out.pbData, out.cbData, flags, text.data(), &chars)) {
        return fail("CryptBinaryToStringA failed");
    }
    text.resize(chars);
    return text;
}

}  // namespace psguard
