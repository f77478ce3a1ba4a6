// Windows side of the security reader: the folder is opened without following a reparse point
// (FILE_FLAG_OPEN_REPARSE_POINT), refused if it is one, and its owner, group and DACL are read
// from that same handle with GetSecurityInfo, so nothing can swap a link in between.
#include <windows.h>
// After windows.h:
#include <aclapi.h>

#include "acl/security_reader.hpp"
#include "acl/win_security.hpp"
#include "core/utf8_path.hpp"
#include "platform/win_handle.hpp"
#include "platform/win_text.hpp"

namespace psguard {
namespace fs = std::filesystem;

Result<PathSecurity> read_path_security(const fs::path& path) {
    const std::string shown = path_to_utf8(path);
    const std::wstring wide = acl::security_api_path(path.native());
    // READ_CONTROL is all GetSecurityInfo needs for the owner, group and DACL.
    WinHandle handle(
        CreateFileW(wide.c_str(), READ_CONTROL | FILE_READ_ATTRIBUTES,
                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_EXISTING,
                    FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, nullptr));
    if (!handle) {
        const DWORD error = GetLastError();
        if (error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND) {
            return fail(shown + ": does not exist");
        }
        return fail(shown + ": cannot open to read its permissions: " + win_error_text(error));
    }
    BY_HANDLE_FILE_INFORMATION info{};
    if (GetFileInformationByHandle(handle.get(), &info) &&
        (info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0) {
        return fail(shown + ": is a junction or symlink; psguard does not check through links");
    }
    PSECURITY_DESCRIPTOR raw = nullptr;
    const DWORD status = GetSecurityInfo(
        handle.get(), SE_FILE_OBJECT,
        OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
        nullptr, nullptr, nullptr, nullptr, &raw);
    if (status != ERROR_SUCCESS) {
        return fail(shown + ": cannot read its permissions: " + win_error_text(status));
    }
    acl::LocalPtr<void> owner(raw);
    auto model = acl::descriptor_from_native(raw);
    if (!model) {
        return fail(shown + ": " + model.error().message);
    }
    return PathSecurity{std::move(model.value())};
}

}  // namespace psguard
