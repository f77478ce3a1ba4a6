#include <windows.h>

#include <vector>

#include "core/utf8_path.hpp"
#include "platform/file_ops.hpp"
#include "platform/win_handle.hpp"
#include "platform/win_text.hpp"

namespace psguard {
namespace {

Error win_error(std::string_view what, const std::filesystem::path& path, DWORD error) {
    return fail(std::string(what) + " " + path_to_utf8(path) + ": " + win_error_text(error));
}

Status write_all(HANDLE file, std::string_view bytes, const std::filesystem::path& path) {
    while (!bytes.empty()) {
        const DWORD chunk = static_cast<DWORD>(std::min<std::size_t>(bytes.size(), 1u << 30));
        DWORD written = 0;
        if (!WriteFile(file, bytes.data(), chunk, &written, nullptr)) {
            return win_error("cannot write", path, GetLastError());
        }
        bytes.remove_prefix(written);
    }
    return {};
}

// Opens `path` itself (never a reparse point's target) for the given access.
WinHandle open_file(const std::filesystem::path& path, DWORD access, DWORD disposition) {
    return WinHandle(CreateFileW(path.c_str(), access, FILE_SHARE_READ, nullptr, disposition,
                                 FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, nullptr));
}

bool is_plain_file(HANDLE file) {
    BY_HANDLE_FILE_INFORMATION info{};
    return GetFileInformationByHandle(file, &info) &&
           (info.dwFileAttributes & (FILE_ATTRIBUTE_REPARSE_POINT | FILE_ATTRIBUTE_DIRECTORY)) == 0;
}

// Cuts `file` (an open handle with write access) to `size` bytes and flushes it.
Status truncate_handle(HANDLE handle, const std::filesystem::path& file, std::uint64_t size) {
    LARGE_INTEGER end{};
    end.QuadPart = static_cast<LONGLONG>(size);
    if (!SetFilePointerEx(handle, end, nullptr, FILE_BEGIN) || !SetEndOfFile(handle)) {
        return win_error("cannot truncate", file, GetLastError());
    }
    if (!FlushFileBuffers(handle)) {
        return win_error("cannot flush", file, GetLastError());
    }
    return {};
}

}  // namespace

Status append_durably(const std::filesystem::path& file, std::string_view bytes) {
    // Write access (not append-only) so that a failed append can be cut off again; psguard's
    // state lock makes this process the only writer.
    WinHandle handle = open_file(file, GENERIC_WRITE, OPEN_ALWAYS);
    if (!handle) {
        return win_error("cannot open", file, GetLastError());
    }
    LARGE_INTEGER size{};
    if (!GetFileSizeEx(handle.get(), &size) ||
        !SetFilePointerEx(handle.get(), size, nullptr, FILE_BEGIN)) {
        return win_error("cannot inspect", file, GetLastError());
    }
    Status appended = write_all(handle.get(), bytes, file);
    if (appended && !FlushFileBuffers(handle.get())) {
        appended = win_error("cannot flush", file, GetLastError());
    }
    // A full disk writes part of the bytes: cut them off again, so that a failed append leaves
    // the file as it was (a later append must not glue onto a fragment).
    if (!appended) {
        if (auto cut =
                truncate_handle(handle.get(), file, static_cast<std::uint64_t>(size.QuadPart));
            !cut) {
            return fail(appended.error().message +
                        "; cutting off the partial write failed too: " + cut.error().message);
        }
    }
    return appended;
}

Status truncate_durably(const std::filesystem::path& file, std::uint64_t size) {
    WinHandle handle = open_file(file, GENERIC_WRITE, OPEN_EXISTING);
    if (!handle) {
        return win_error("cannot open", file, GetLastError());
    }
    if (!is_plain_file(handle.get())) {
        return fail("cannot truncate " + path_to_utf8(file) + ": not a regular file");
    }
    return truncate_handle(handle.get(), file, size);
}

Status write_atomically(const std::filesystem::path& file, std::string_view bytes) {
    std::filesystem::path temporary = file;
    temporary += L".tmp";
    {
        WinHandle handle = open_file(temporary, GENERIC_WRITE, CREATE_ALWAYS);
        if (!handle) {
            return win_error("cannot create", temporary, GetLastError());
        }
        if (auto written = write_all(handle.get(), bytes, temporary); !written) {
            return written;
        }
        if (!FlushFileBuffers(handle.get())) {
            return win_error("cannot flush", temporary, GetLastError());
        }
    }
    if (!MoveFileExW(temporary.c_str(), file.c_str(),
                     MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
        return win_error("cannot replace", file, GetLastError());
    }
    return {};
}

Result<MoveResult> rename_no_replace(const std::filesystem::path& from,
                                     const std::filesystem::path& to) {
    // Without MOVEFILE_COPY_ALLOWED a move to another volume fails with ERROR_NOT_SAME_DEVICE
    // and the caller copies; without MOVEFILE_REPLACE_EXISTING an existing `to` is kept.
    // MoveFileExW moves a reparse point itself, never its target.
    if (!MoveFileExW(from.c_str(), to.c_str(), MOVEFILE_WRITE_THROUGH)) {
        const DWORD error = GetLastError();
        if (error == ERROR_NOT_SAME_DEVICE) {
            return MoveResult::other_volume;
        }
        return win_error("cannot move " + path_to_utf8(from) + " to", to, error);
    }
    return MoveResult::moved;
}

Status copy_durably(const std::filesystem::path& from, const std::filesystem::path& to) {
    WinHandle in(CreateFileW(
        from.c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
        OPEN_EXISTING, FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_SEQUENTIAL_SCAN, nullptr));
    if (!in) {
        return win_error("cannot open", from, GetLastError());
    }
    if (!is_plain_file(in.get())) {
        return fail("cannot copy " + path_to_utf8(from) + ": not a regular file");
    }
    WinHandle out = open_file(to, GENERIC_WRITE, CREATE_NEW);
    if (!out) {
        return win_error("cannot create", to, GetLastError());
    }
    std::vector<char> buffer(64 * 1024);
    for (;;) {
        DWORD got = 0;
        if (!ReadFile(in.get(), buffer.data(), static_cast<DWORD>(buffer.size()), &got, nullptr)) {
            return win_error("cannot read", from, GetLastError());
        }
        if (got == 0) {
            break;
        }
        if (auto written = write_all(out.get(), std::string_view(buffer.data(), got), to);
            !written) {
            return written;
        }
    }
    if (!FlushFileBuffers(out.get())) {
        return win_error("cannot flush", to, GetLastError());
    }
    return {};
}

Status remove_regular_file(const std::filesystem::path& file) {
    const DWORD attributes = GetFileAttributesW(file.c_str());
    if (attributes == INVALID_FILE_ATTRIBUTES) {
        return win_error("cannot inspect", file, GetLastError());
    }
    if ((attributes & (FILE_ATTRIBUTE_REPARSE_POINT | FILE_ATTRIBUTE_DIRECTORY)) != 0) {
        return fail("refusing to remove " + path_to_utf8(file) + ": not a regular file");
    }
    if (!DeleteFileW(file.c_str())) {
        return win_error("cannot remove", file, GetLastError());
    }
    return {};
}

Status sync_folder(const std::filesystem::path&) {
    return {};
}

}  // namespace psguard
