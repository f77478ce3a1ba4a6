// The account the tests run as, by name: what the ACL check resolves and finds owning the folders
// the test just created.
#pragma once

#include <string>

#ifdef _WIN32
#include <windows.h>

#include "platform/win_text.hpp"
#else
#include <pwd.h>
#include <unistd.h>
#endif

namespace psguard::test {

inline std::string current_account() {
#ifdef _WIN32
    wchar_t name[256] = {};
    DWORD size = 256;
    if (!GetUserNameW(name, &size)) {
        return {};
    }
    return to_utf8(name);
#else
    const passwd* entry = getpwuid(geteuid());
    return entry != nullptr ? entry->pw_name : "";
#endif
}

}  // namespace psguard::test
