#include <windows.h>

#include "core/utf8_path.hpp"
#include "platform/file_lock.hpp"
#include "platform/win_handle.hpp"
#include "platform/win_text.hpp"

namespace psguard {

struct FileLock::Handle {
    WinHandle file;
};

FileLock::FileLock(std::unique_ptr<Handle> handle) : handle_(std::move(handle)) {}
FileLock::FileLock(FileLock&&) noexcept = default;
FileLock& FileLock::operator=(FileLock&&) noexcept = default;
FileLock::~FileLock() = default;  // closing the handle releases the lock

Result<FileLock> FileLock::try_acquire(const std::filesystem::path& file) {
    WinHandle handle(CreateFileW(file.c_str(), GENERIC_READ | GENERIC_WRITE,
                                 FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr, OPEN_ALWAYS,
                                 FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, nullptr));
    if (!handle) {
        return fail("cannot open the lock " + path_to_utf8(file) + ": " +
                    win_error_text(GetLastError()));
    }
    OVERLAPPED at{};
    if (!LockFileEx(handle.get(), LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0,
                    &at)) {
        return fail("another psguard holds " + path_to_utf8(file) +
                    " (the service, or another command): try again when it is done");
    }
    auto owner = std::make_unique<Handle>();
    owner->file = std::move(handle);
    return FileLock(std::move(owner));
}

}  // namespace psguard
