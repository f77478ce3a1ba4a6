// Windows side of the shared-file seam. CreateFileW shares read, write and delete so that the
// agent can keep appending, rotate (rename) and delete its logs while psguard holds them open;
// FILE_FLAG_OPEN_REPARSE_POINT opens a link itself, which is then refused.
#include <windows.h>

#include <limits>

#include "evidence/shared_file.hpp"
#include "platform/win_handle.hpp"
#include "platform/win_text.hpp"

namespace psguard {
namespace fs = std::filesystem;

namespace {

// Backslashes, and the \\?\ prefix when an absolute path would not fit MAX_PATH.
std::wstring win32_path(const fs::path& path) {
    std::wstring text = path.lexically_normal().native();
    for (wchar_t& c : text) {
        if (c == L'/') {
            c = L'\\';
        }
    }
    const bool verbatim = text.rfind(L"\\\\?\\", 0) == 0;
    if (!verbatim && text.size() >= MAX_PATH - 12 && path.is_absolute()) {
        text = text.rfind(L"\\\\", 0) == 0 ? L"\\\\?\\UNC\\" + text.substr(2) : L"\\\\?\\" + text;
    }
    return text;
}

}  // namespace

struct SharedFile::Native {
    WinHandle handle;
};

SharedFile::SharedFile(std::unique_ptr<Native> native, FileIdentity identity) noexcept
    : native_(std::move(native)), identity_(identity) {}
SharedFile::SharedFile(SharedFile&& other) noexcept = default;
SharedFile& SharedFile::operator=(SharedFile&& other) noexcept = default;
SharedFile::~SharedFile() = default;

Result<SharedFile> SharedFile::open(const fs::path& path) {
    auto native = std::make_unique<Native>();
    // No FILE_FLAG_BACKUP_SEMANTICS: a directory cannot be opened.
    native->handle.reset(
        CreateFileW(win32_path(path).c_str(), GENERIC_READ,
                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_EXISTING,
                    FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_SEQUENTIAL_SCAN, nullptr));
    if (!native->handle) {
        return fail("cannot open: " + win_error_text(GetLastError()));
    }
    if (GetFileType(native->handle.get()) != FILE_TYPE_DISK) {
        return fail("is not a regular file");
    }
    BY_HANDLE_FILE_INFORMATION info{};
    if (!GetFileInformationByHandle(native->handle.get(), &info)) {
        return fail("cannot inspect: " + win_error_text(GetLastError()));
    }
    if ((info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0) {
        return fail("is a reparse point; not followed");
    }
    if ((info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0) {
        return fail("is not a regular file");
    }
    FileIdentity identity;
    identity.device = info.dwVolumeSerialNumber;
    identity.index = (static_cast<std::uint64_t>(info.nFileIndexHigh) << 32) | info.nFileIndexLow;
    return SharedFile(std::move(native), identity);
}

Result<std::uint64_t> SharedFile::size() const {
    LARGE_INTEGER size{};
    if (!GetFileSizeEx(native_->handle.get(), &size)) {
        return fail("cannot inspect: " + win_error_text(GetLastError()));
    }
    return static_cast<std::uint64_t>(size.QuadPart < 0 ? 0 : size.QuadPart);
}

Result<std::size_t> SharedFile::read_at(std::uint64_t offset, char* buffer,
                                        std::size_t length) const {
    std::size_t done = 0;
    while (done < length) {
        // A synchronous handle reads at the OVERLAPPED offset: no shared file pointer to race on.
        OVERLAPPED at{};
        const std::uint64_t position = offset + done;
        at.Offset = static_cast<DWORD>(position & 0xFFFFFFFFu);
        at.OffsetHigh = static_cast<DWORD>(position >> 32);
        const std::size_t left = length - done;
        const DWORD want = left > std::numeric_limits<DWORD>::max() / 2
                               ? std::numeric_limits<DWORD>::max() / 2
                               : static_cast<DWORD>(left);
        DWORD got = 0;
        if (!ReadFile(native_->handle.get(), buffer + done, want, &got, &at)) {
            const DWORD error = GetLastError();
            if (error == ERROR_HANDLE_EOF) {
                break;
            }
            return fail("cannot read: " + win_error_text(error));
        }
        if (got == 0) {
            break;  // end of file
        }
        done += got;
    }
    return done;
}

}  // namespace psguard
