// Windows side of the link seam. Reparse points are recognised by their tag
// (FindFirstFileW's dwReserved0), read with FSCTL_GET_REPARSE_POINT on a handle opened with
// FILE_FLAG_OPEN_REPARSE_POINT, and never followed. Wide-character APIs only.
// windows.h first: the other Win32 headers depend on its types.
#include <windows.h>

#include <winioctl.h>

#include <string_view>
#include <vector>

#include "core/utf8_path.hpp"
#include "platform/directory_handle.hpp"
#include "platform/file_links.hpp"
#include "platform/reparse_data.hpp"
#include "platform/win_handle.hpp"
#include "platform/win_text.hpp"

namespace psguard {
namespace fs = std::filesystem;

namespace {

#ifndef MAXIMUM_REPARSE_DATA_BUFFER_SIZE
constexpr DWORD kMaxReparseData = 16 * 1024;
#else
constexpr DWORD kMaxReparseData = MAXIMUM_REPARSE_DATA_BUFFER_SIZE;
#endif

// The path as Win32 wants it: backslashes, no trailing separator (FindFirstFileW rejects one),
// and the \\?\ prefix when an absolute path would not fit MAX_PATH.
std::wstring win32_path(const fs::path& path) {
    std::wstring text = path.native();
    for (wchar_t& c : text) {
        if (c == L'/') {
            c = L'\\';
        }
    }
    const bool verbatim = text.rfind(L"\\\\?\\", 0) == 0;
    if (!verbatim && text.size() >= MAX_PATH - 12 && path.is_absolute()) {
        std::wstring normal = path.lexically_normal().native();
        for (wchar_t& c : normal) {
            if (c == L'/') {
                c = L'\\';
            }
        }
        text = normal.rfind(L"\\\\", 0) == 0 ? L"\\\\?\\UNC\\" + normal.substr(2)
                                             : L"\\\\?\\" + normal;
    }
    // Keep "C:\" and "\\?\C:\" whole; strip other trailing separators.
    while (text.size() > 1 && text.back() == L'\\' && text[text.size() - 2] != L':' &&
           text[text.size() - 2] != L'\\') {
        text.pop_back();
    }
    return text;
}

bool is_missing(DWORD error) {
    return error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND ||
           error == ERROR_BAD_NETPATH || error == ERROR_BAD_NET_NAME;
}

LinkKind kind_of_tag(DWORD tag) {
    if (tag == kReparseTagMountPoint) {
        return LinkKind::junction;
    }
    if (tag == kReparseTagSymlink) {
        return LinkKind::symlink;
    }
    return LinkKind::other_reparse_point;
}

}  // namespace

Result<std::optional<EntryInfo>> probe_entry(const fs::path& path) {
    const std::wstring wide = win32_path(path);
    DWORD attributes = 0;
    std::uint64_t size = 0;
    WIN32_FILE_ATTRIBUTE_DATA data{};
    if (GetFileAttributesExW(wide.c_str(), GetFileExInfoStandard, &data)) {
        attributes = data.dwFileAttributes;
        size = (static_cast<std::uint64_t>(data.nFileSizeHigh) << 32) | data.nFileSizeLow;
    } else {
        const DWORD error = GetLastError();
        if (is_missing(error)) {
            return std::optional<EntryInfo>{};
        }
        if (error != ERROR_SHARING_VIOLATION) {
            return fail("cannot inspect " + path_to_utf8(path) + ": " + win_error_text(error));
        }
        // Files held open exclusively (pagefile-like) still show in their folder's listing.
        WIN32_FIND_DATAW found{};
        FindHandle search(FindFirstFileW(wide.c_str(), &found));
        if (!search) {
            return fail("cannot inspect " + path_to_utf8(path) + ": " + win_error_text(error));
        }
        attributes = found.dwFileAttributes;
        size = (static_cast<std::uint64_t>(found.nFileSizeHigh) << 32) | found.nFileSizeLow;
    }

    EntryInfo info;
    if ((attributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0) {
        // The tag lives in the directory entry: FindFirstFileW reports it in dwReserved0.
        WIN32_FIND_DATAW found{};
        FindHandle search(FindFirstFileW(wide.c_str(), &found));
        if (!search) {
            return fail("cannot read the reparse tag of " + path_to_utf8(path) + ": " +
                        win_error_text(GetLastError()));
        }
        info.link = kind_of_tag(found.dwReserved0);
        return std::optional<EntryInfo>{info};
    }
    info.is_directory = (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
    info.is_regular_file = !info.is_directory && (attributes & FILE_ATTRIBUTE_DEVICE) == 0;
    info.size = info.is_regular_file ? size : 0;
    return std::optional<EntryInfo>{info};
}

Result<EntryInfo> inspect_entry(const fs::path& path) {
    auto probed = probe_entry(path);
    if (!probed) {
        return probed.error();
    }
    if (!probed.value()) {
        return fail("cannot inspect " + path_to_utf8(path) + ": it does not exist");
    }
    return *probed.value();
}

// Windows holds no folder open (directory_handle_windows.cpp): by the joined path, as before.
Result<std::optional<EntryInfo>> probe_entry_at(const OpenDirectory& dir, const fs::path& name) {
    if (!is_single_file_name(name)) {
        return fail(not_single_name_message(dir.child_path(name)));
    }
    return probe_entry(dir.child_path(name));
}

Result<fs::path> link_target(const fs::path& path) {
    const std::wstring wide = win32_path(path);
    // No access rights needed to read the reparse data; share everything so nobody is blocked.
    WinHandle handle(CreateFileW(
        wide.c_str(), 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
        OPEN_EXISTING, FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS, nullptr));
    if (!handle) {
        return fail("cannot open the link " + path_to_utf8(path) + ": " +
                    win_error_text(GetLastError()));
    }
    std::vector<unsigned char> buffer(kMaxReparseData);
    DWORD returned = 0;
    if (!DeviceIoControl(handle.get(), FSCTL_GET_REPARSE_POINT, nullptr, 0, buffer.data(),
                         static_cast<DWORD>(buffer.size()), &returned, nullptr)) {
        const DWORD error = GetLastError();
        if (error == ERROR_NOT_A_REPARSE_POINT) {
            return fail(path_to_utf8(path) + " is not a symlink or junction");
        }
        return fail("cannot read the link " + path_to_utf8(path) + ": " + win_error_text(error));
    }
    auto parsed = parse_reparse_data(buffer.data(), returned);
    if (!parsed) {
        return fail("cannot use the link " + path_to_utf8(path) + ": " + parsed.error().message);
    }
    const std::wstring target(parsed->target.begin(), parsed->target.end());  // UTF-16 both
    const bool relative = parsed->relative;

    fs::path result(target);
    if (relative || result.is_relative()) {
        std::error_code ec;
        const fs::path link = fs::absolute(path, ec);
        if (ec) {
            return fail("cannot make " + path_to_utf8(path) + " absolute: " + ec.message());
        }
        result = link.parent_path() / result;
    }
    return result.lexically_normal();
}

Result<std::string> read_file_nofollow(const fs::path& path, std::uint64_t max_bytes) {
    const std::wstring wide = win32_path(path);
    // FILE_FLAG_OPEN_REPARSE_POINT: open a link itself, never its target (then refused below).
    // No FILE_FLAG_BACKUP_SEMANTICS: a directory cannot be opened.
    WinHandle handle(CreateFileW(
        wide.c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
        OPEN_EXISTING, FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_SEQUENTIAL_SCAN, nullptr));
    if (!handle) {
        return fail("cannot open: " + win_error_text(GetLastError()));
    }
    if (GetFileType(handle.get()) != FILE_TYPE_DISK) {
        return fail("is not a regular file");
    }
    BY_HANDLE_FILE_INFORMATION info{};
    if (!GetFileInformationByHandle(handle.get(), &info)) {
        return fail("cannot inspect: " + win_error_text(GetLastError()));
    }
    if ((info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0) {
        return fail("is a reparse point; not followed");
    }
    if ((info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0) {
        return fail("is not a regular file");
    }
    const std::uint64_t size =
        (static_cast<std::uint64_t>(info.nFileSizeHigh) << 32) | info.nFileSizeLow;
    if (size > max_bytes) {
        return fail(over_cap_message(size, max_bytes));
    }
    std::string content;
    content.reserve(static_cast<std::size_t>(size));
    std::vector<char> chunk(64 * 1024);
    for (;;) {
        DWORD got = 0;
        if (!ReadFile(handle.get(), chunk.data(), static_cast<DWORD>(chunk.size()), &got,
                      nullptr)) {
            return fail("cannot read: " + win_error_text(GetLastError()));
        }
        if (got == 0) {
            break;
        }
        if (content.size() + got > max_bytes) {
            return fail("file grew over the " + std::to_string(max_bytes) +
                        "-byte cap while being read");
        }
        content.append(chunk.data(), got);
    }
    return content;
}

Result<std::string> read_file_nofollow_at(const OpenDirectory& dir, const fs::path& name,
                                          std::uint64_t max_bytes) {
    if (!is_single_file_name(name)) {
        return fail("is not a single file name");  // the caller names the file, as below
    }
    return read_file_nofollow(dir.child_path(name), max_bytes);
}

bool same_file_name(const fs::path& a, const fs::path& b) {
    const std::wstring& x = a.native();
    const std::wstring& y = b.native();
    return CompareStringOrdinal(x.c_str(), static_cast<int>(x.size()), y.c_str(),
                                static_cast<int>(y.size()), TRUE) == CSTR_EQUAL;
}

}  // namespace psguard
