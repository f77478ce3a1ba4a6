// RAII owners for Win32 handles: exactly one owner per handle, closed on destruction.
// Windows-only; the header is empty elsewhere so that globbing or IDE indexing does no harm.
#pragma once

#ifdef _WIN32

#include <windows.h>
#include <winsvc.h>

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

// Owns any other pointer-like Win32 resource (keys, service handles, WinHTTP handles, crypto
// contexts, LocalAlloc'd buffers) released by `Release`; null means none. One alias per kind,
// as WIL's unique_any does: UniqueWin<HKEY, &RegCloseKey> is a registry key.
template <auto Release>
struct WinReleaser {
    template <typename T>
    void operator()(T* resource) const noexcept {
        Release(resource);
    }
};
template <typename Resource, auto Release>
using UniqueWin = std::unique_ptr<std::remove_pointer_t<Resource>, WinReleaser<Release>>;

using RegKey = UniqueWin<HKEY, &::RegCloseKey>;  // RegOpenKeyExW, RegCreateKeyExW
using ServiceHandle = UniqueWin<SC_HANDLE, &::CloseServiceHandle>;  // OpenSCManagerW, OpenServiceW

// Buffers Windows allocates for the caller and hands back through LocalFree (security
// descriptors and SIDs, DPAPI output, CommandLineToArgvW).
template <typename T>
using LocalPtr = UniqueWin<T*, &::LocalFree>;

}  // namespace psguard

#endif  // _WIN32
