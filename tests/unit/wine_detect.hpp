// Where a test must know whether it runs under Wine (the Windows CI), whose security API keeps
// less than Windows does (docs/acl.md): Wine's ntdll exports wine_get_version, Windows' does not.
#pragma once

#ifdef _WIN32
#include <windows.h>
#endif

namespace psguard::test {

inline bool running_under_wine() {
#ifdef _WIN32
    const HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    return ntdll != nullptr && GetProcAddress(ntdll, "wine_get_version") != nullptr;
#else
    return false;
#endif
}

}  // namespace psguard::test
