// Test helper: a private temporary folder, removed with everything in it on destruction, plus
// link creation that reports why it failed so that tests can skip (Windows without the symlink
// privilege, file systems without links).
#pragma once

#ifdef _WIN32
// windows.h first: the other Win32 headers depend on its types.
#include <windows.h>

#include <winioctl.h>

#include <cstring>
#include <vector>

#include "platform/win_handle.hpp"
#endif

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace psguard::test {

class TempTree {
  public:
    TempTree() {
        std::random_device entropy;
        const auto base = std::filesystem::temp_directory_path();
        for (int attempt = 0; attempt < 100; ++attempt) {
            const auto stamp =
                std::chrono::steady_clock::now().time_since_epoch().count() ^ entropy();
            auto candidate = base / ("psguard-test-" + std::to_string(stamp));
            std::error_code ec;
            if (std::filesystem::create_directory(candidate, ec) && !ec) {
                // Canonical, so that expectations about resolved link targets compare equal
                // (macOS: /tmp -> /private/tmp).
                root_ = std::filesystem::canonical(candidate, ec);
                if (ec) {
                    root_ = candidate;
                }
                return;
            }
        }
        throw std::runtime_error("cannot create a temporary test folder");
    }
    ~TempTree() {
        std::error_code ec;
        std::filesystem::remove_all(root_, ec);
    }
    TempTree(const TempTree&) = delete;
    TempTree& operator=(const TempTree&) = delete;

    const std::filesystem::path& root() const { return root_; }
    std::filesystem::path operator/(const std::filesystem::path& relative) const {
        return root_ / relative;
    }

    std::filesystem::path mkdir(const std::filesystem::path& relative) const {
        const auto path = root_ / relative;
        std::filesystem::create_directories(path);
        return path;
    }

    std::filesystem::path write(const std::filesystem::path& relative,
                                std::string_view bytes) const {
        const auto path = root_ / relative;
        std::filesystem::create_directories(path.parent_path());
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out) {
            throw std::runtime_error("cannot write a test file");
        }
        return path;
    }

  private:
    std::filesystem::path root_;
};

// Everything under `root` (names, sizes, contents, modification times): equal before and after
// an operation that must not touch anything.
inline std::string describe_tree(const std::filesystem::path& root) {
    std::string out;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        const auto& path = it->path();
        const auto u8 = path.lexically_relative(root).generic_u8string();
        out.append(u8.begin(), u8.end());
        const auto status = std::filesystem::symlink_status(path, ec);
        out += " type=" + std::to_string(static_cast<int>(status.type()));
        if (status.type() == std::filesystem::file_type::regular) {
            out += " size=" + std::to_string(std::filesystem::file_size(path, ec));
            std::ifstream in(path, std::ios::binary);
            out += " content=" + std::string(std::istreambuf_iterator<char>(in), {});
        }
        if (status.type() != std::filesystem::file_type::symlink) {
            out += " mtime=" +
                   std::to_string(
                       std::filesystem::last_write_time(path, ec).time_since_epoch().count());
        }
        out += '\n';
    }
    return out;
}

#ifdef _WIN32
// A junction (IO_REPARSE_TAG_MOUNT_POINT), the link ITMS itself creates for moved package
// storage; unlike symlinks, creating one needs no privilege.
inline std::optional<std::string> make_junction(const std::filesystem::path& target,
                                                const std::filesystem::path& link) {
    std::error_code ec;
    const auto absolute = std::filesystem::absolute(target, ec).lexically_normal();
    if (ec || !std::filesystem::create_directory(link, ec) || ec) {
        return "cannot create the junction folder: " + ec.message();
    }
    WinHandle handle(CreateFileW(link.c_str(), GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
                                 FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS,
                                 nullptr));
    if (!handle) {
        return "cannot open the junction folder (Win32 error " + std::to_string(GetLastError()) +
               ")";
    }
    std::wstring print = absolute.native();
    while (!print.empty() && print.back() == L'\\' && print.size() > 3) {
        print.pop_back();
    }
    const std::wstring substitute = L"\\??\\" + print;
    const auto substitute_bytes = static_cast<USHORT>(substitute.size() * sizeof(wchar_t));
    const auto print_bytes = static_cast<USHORT>(print.size() * sizeof(wchar_t));
    // Header (tag, length, reserved), four name offsets/lengths, then both names NUL-terminated.
    const std::size_t path_bytes =
        substitute_bytes + sizeof(wchar_t) + print_bytes + sizeof(wchar_t);
    std::vector<unsigned char> buffer(8 + 8 + path_bytes, 0);
    const ULONG tag = IO_REPARSE_TAG_MOUNT_POINT;
    const auto data_length = static_cast<USHORT>(8 + path_bytes);
    const USHORT names[4] = {0, substitute_bytes,
                             static_cast<USHORT>(substitute_bytes + sizeof(wchar_t)), print_bytes};
    std::memcpy(buffer.data(), &tag, sizeof tag);
    std::memcpy(buffer.data() + 4, &data_length, sizeof data_length);
    std::memcpy(buffer.data() + 8, names, sizeof names);
    std::memcpy(buffer.data() + 16, substitute.data(), substitute_bytes);
    std::memcpy(buffer.data() + 16 + names[2], print.data(), print_bytes);
    DWORD returned = 0;
    if (!DeviceIoControl(handle.get(), FSCTL_SET_REPARSE_POINT, buffer.data(),
                         static_cast<DWORD>(buffer.size()), nullptr, 0, &returned, nullptr)) {
        const DWORD error = GetLastError();
        handle.reset();
        std::filesystem::remove(link, ec);
        return "FSCTL_SET_REPARSE_POINT failed (Win32 error " + std::to_string(error) + ")";
    }
    return std::nullopt;
}
#endif

#ifdef _WIN32
// CreateSymbolicLinkW can report success without creating anything (Wine implements it as a
// stub): only a reparse point actually in place counts.
inline std::optional<std::string> check_link_created(const std::filesystem::path& link) {
    const DWORD attributes = GetFileAttributesW(link.c_str());
    if (attributes == INVALID_FILE_ATTRIBUTES || (attributes & FILE_ATTRIBUTE_REPARSE_POINT) == 0) {
        return std::string("CreateSymbolicLinkW reported success but created no link");
    }
    return std::nullopt;
}
#endif

// A link to a folder: a symlink on POSIX, a junction on Windows (what ITMS uses, and creatable
// without privilege). nullopt on success, else why it could not be made (the test skips).
inline std::optional<std::string> make_directory_link(const std::filesystem::path& target,
                                                      const std::filesystem::path& link) {
#ifdef _WIN32
    return make_junction(target, link);
#else
    std::error_code ec;
    std::filesystem::create_directory_symlink(target, link, ec);
    if (ec) {
        return "create_directory_symlink failed: " + ec.message();
    }
    return std::nullopt;
#endif
}

// A symlink to a file (Windows: needs the symlink privilege or developer mode).
inline std::optional<std::string> make_file_symlink(const std::filesystem::path& target,
                                                    const std::filesystem::path& link) {
#ifdef _WIN32
    if (!CreateSymbolicLinkW(link.c_str(), target.c_str(),
                             SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE)) {
        return "CreateSymbolicLinkW failed (Win32 error " + std::to_string(GetLastError()) + ")";
    }
    return check_link_created(link);
#else
    std::error_code ec;
    std::filesystem::create_symlink(target, link, ec);
    if (ec) {
        return "create_symlink failed: " + ec.message();
    }
    return std::nullopt;
#endif
}

// A symlink to a folder, whatever the platform calls it (Windows: SYMBOLIC_LINK_FLAG_DIRECTORY).
inline std::optional<std::string> make_directory_symlink(const std::filesystem::path& target,
                                                         const std::filesystem::path& link) {
#ifdef _WIN32
    if (!CreateSymbolicLinkW(
            link.c_str(), target.c_str(),
            SYMBOLIC_LINK_FLAG_DIRECTORY | SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE)) {
        return "CreateSymbolicLinkW failed (Win32 error " + std::to_string(GetLastError()) + ")";
    }
    return check_link_created(link);
#else
    std::error_code ec;
    std::filesystem::create_directory_symlink(target, link, ec);
    if (ec) {
        return "create_directory_symlink failed: " + ec.message();
    }
    return std::nullopt;
#endif
}

}  // namespace psguard::test

// Creates a link or skips the test with the reason.
#define PSGUARD_LINK_OR_SKIP(expression)                                          \
    do {                                                                          \
        if (const auto psguard_link_error = (expression)) {                       \
            GTEST_SKIP() << "cannot create a link here: " << *psguard_link_error; \
        }                                                                         \
    } while (false)
