#include <windows.h>

#include <bcrypt.h>
#include <sddl.h>

#include <array>

#include "acl/win_security.hpp"
#include "core/utf8_path.hpp"
#include "endpoint/token_file.hpp"
#include "platform/win_handle.hpp"
#include "platform/win_text.hpp"

namespace psguard {
namespace {

// SYSTEM and Administrators full control, nothing inherited from the folder.
constexpr wchar_t kTokenFileSddl[] = L"D:P(A;;FA;;;SY)(A;;FA;;;BA)";

Status random_bytes(std::span<unsigned char> out) {
    const NTSTATUS status = BCryptGenRandom(nullptr, out.data(), static_cast<ULONG>(out.size()),
                                            BCRYPT_USE_SYSTEM_PREFERRED_RNG);
    if (!BCRYPT_SUCCESS(status)) {
        return fail("BCryptGenRandom failed (NTSTATUS " +
                    std::to_string(static_cast<unsigned long>(status)) + ")");
    }
    return {};
}

}  // namespace

Result<std::string> create_token_file(const std::filesystem::path& file) {
    std::array<unsigned char, kGeneratedTokenBytes> bytes{};
    if (auto random = random_bytes(bytes); !random) {
        return random.error();
    }
    const std::string token = hex_encode(bytes);

    PSECURITY_DESCRIPTOR raw = nullptr;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(kTokenFileSddl, SDDL_REVISION_1, &raw,
                                                              nullptr)) {
        return fail("cannot build the token file's security descriptor: " +
                    win_error_text(GetLastError()));
    }
    acl::LocalPtr<void> descriptor(raw);
    SECURITY_ATTRIBUTES attributes{sizeof(SECURITY_ATTRIBUTES), raw, FALSE};

    // A new file (CREATE_NEW) gets the descriptor above from its first moment (an existing one
    // would keep its own); renamed over the old token, readers never see half a token.
    std::filesystem::path temporary = file;
    temporary += L".new";
    DeleteFileW(temporary.c_str());  // a leftover of an interrupted run, if any
    {
        WinHandle handle(CreateFileW(temporary.c_str(), GENERIC_WRITE, 0, &attributes, CREATE_NEW,
                                     FILE_ATTRIBUTE_NORMAL, nullptr));
        if (!handle) {
            return fail("cannot create " + path_to_utf8(temporary) + ": " +
                        win_error_text(GetLastError()));
        }
        const std::string line = token + "\r\n";
        DWORD written = 0;
        if (!WriteFile(handle.get(), line.data(), static_cast<DWORD>(line.size()), &written,
                       nullptr) ||
            written != line.size() || !FlushFileBuffers(handle.get())) {
            const DWORD error = GetLastError();
            handle.reset();
            DeleteFileW(temporary.c_str());
            return fail("cannot write " + path_to_utf8(temporary) + ": " + win_error_text(error));
        }
    }
    if (!MoveFileExW(temporary.c_str(), file.c_str(),
                     MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
        const DWORD error = GetLastError();
        DeleteFileW(temporary.c_str());
        return fail("cannot rename " + path_to_utf8(temporary) + " to " + path_to_utf8(file) +
                    ": " + win_error_text(error));
    }
    return token;
}

}  // namespace psguard
