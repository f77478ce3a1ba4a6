// Small helpers every POSIX seam uses, so each says an errno value and a failed path the same way.
#pragma once

#ifndef _WIN32

#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "core/result.hpp"
#include "core/utf8_path.hpp"

namespace psguard {

inline std::string errno_text(int error) {
    return std::generic_category().message(error);
}

// "<what> <path>: <errno text>", e.g. "cannot open /srv/x: Permission denied".
inline Error errno_error(std::string_view what, const std::filesystem::path& path, int error) {
    return fail(std::string(what) + " " + path_to_utf8(path) + ": " + errno_text(error));
}

// The path without trailing slashes: "link/" makes lstat, readlink and open resolve the link.
inline std::string without_trailing_slashes(const std::filesystem::path& path) {
    std::string text = path.native();
    while (text.size() > 1 && text.back() == '/') {
        text.pop_back();
    }
    return text;
}

// Every byte of `bytes` to `fd`, retrying after signals; `path` names the file in the error.
inline Status write_all(int fd, std::string_view bytes, const std::filesystem::path& path) {
    while (!bytes.empty()) {
        const ssize_t written = ::write(fd, bytes.data(), bytes.size());
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno_error("cannot write", path, errno);
        }
        bytes.remove_prefix(static_cast<std::size_t>(written));
    }
    return {};
}

}  // namespace psguard

#endif
