// RAII owners for Win32 handles: exactly one owner per handle, closed on destruction.
// Windows-only; the header is empty elsewhere so that globbing or IDE indexing does no harm.
#pragma once

#ifdef _WIN32

#include <windows.h>

#include <memory>
#include <type_traits>
#include <utility>

namespace psguard {

// Owns a HANDLE closed with `Close` (CloseHandle for files, FindClose for searches).
// Null and INVALID_HANDLE_VALUE both mean "no handle": Win32 uses either, by API.
template <BOOL(WINAPI* Close)(HANDLE)>
class BasicWinHandle {
  public:
    BasicWinHandle() noexcept = default;
    explicit BasicWinHandle(HANDLE handle) noexcept : handle_(handle) {}
    ~BasicWinHandle() { reset(); }

    BasicWinHandle(const BasicWinHandle&) = delete;
    BasicWinHandle& operator=(const BasicWinHandle&) = delete;
    BasicWinHandle(BasicWinHandle&& other) noexcept : handle_(other.release()) {}
    BasicWinHandle& operator=(BasicWinHandle&& other) noexcept {
        if (this != &other) {
            reset(other.release());
        }
        return *this;
    }

    bool valid() const noexcept { return handle_ != nullptr && handle_ != INVALID_HANDLE_VALUE; }
    explicit operator bool() const noexcept { return valid(); }
    HANDLE get() const noexcept { return handle_; }

    HANDLE release() noexcept { return std::exchange(handle_, nullptr); }
    void reset(HANDLE handle = nullptr) noexcept {
        if (valid()) {
            Close(handle_);
        }
        handle_ = handle;
    }

  private:
    HANDLE handle_ = nullptr;
};

using WinHandle = BasicWinHandle<&::CloseHandle>;  // CreateFileW, OpenProcessToken, ...
using FindHandle = BasicWinHandle<&::FindClose>;   // FindFirstFileW

// A registry key (RegOpenKeyExW, RegCreateKeyExW), closed with RegCloseKey.
struct RegKeyCloser {
    void operator()(HKEY key) const noexcept { RegCloseKey(key); }
};
using RegKey = std::unique_ptr<std::remove_pointer_t<HKEY>, RegKeyCloser>;

}  // namespace psguard

#endif  // _WIN32
