#include <windows.h>

#include <unzip.h>
#include <zip.h>

// After zip.h: iowin32.h uses zlib's macros without including zlib.h.
#include <iowin32.h>

#include <ctime>
#include <memory>
#include <vector>

#include "collect/archive.hpp"
#include "core/utf8_path.hpp"

namespace psguard {
namespace {

struct ZipCloser {
    void operator()(void* handle) const noexcept { zipClose(handle, nullptr); }
};
struct UnzipCloser {
    void operator()(void* handle) const noexcept { unzClose(handle); }
};

// minizip's file functions for UTF-16 paths (iowin32), so that any file name works.
zlib_filefunc64_def wide_file_functions() {
    zlib_filefunc64_def functions{};
    fill_win32_filefunc64W(&functions);
    return functions;
}

std::string failed(const std::filesystem::path& file, const char* what, int code) {
    return path_to_utf8(file) + ": " + what + " failed (minizip error " + std::to_string(code) +
           ")";
}

}  // namespace

std::string_view archive_extension() {
    return ".zip";
}

Status write_archive(const std::filesystem::path& file, const std::vector<ArchiveEntry>& entries) {
    zlib_filefunc64_def functions = wide_file_functions();
    std::unique_ptr<void, ZipCloser> zip(
        zipOpen2_64(file.c_str(), APPEND_STATUS_CREATE, nullptr, &functions));
    if (!zip) {
        return fail(path_to_utf8(file) + ": cannot create the zip file");
    }
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_s(&local, &now);
    zip_fileinfo info{};
    info.tmz_date = {local.tm_sec,  local.tm_min, local.tm_hour,
                     local.tm_mday, local.tm_mon, local.tm_year + 1900};
    for (const ArchiveEntry& entry : entries) {
        int code = zipOpenNewFileInZip64(zip.get(), entry.name.c_str(), &info, nullptr, 0, nullptr,
                                         0, nullptr, Z_DEFLATED, Z_DEFAULT_COMPRESSION,
                                         entry.bytes.size() >= 0xFFFFFFFFull ? 1 : 0);
        if (code != ZIP_OK) {
            return fail(failed(file, "adding an entry", code));
        }
        code = zipWriteInFileInZip(zip.get(), entry.bytes.data(),
                                   static_cast<unsigned>(entry.bytes.size()));
        if (code != ZIP_OK || (code = zipCloseFileInZip(zip.get())) != ZIP_OK) {
            return fail(failed(file, "writing an entry", code));
        }
    }
    const int code = zipClose(zip.release(), nullptr);
    if (code != ZIP_OK) {
        return fail(failed(file, "closing", code));
    }
    return {};
}

Result<std::vector<ArchiveEntry>> read_archive(const std::filesystem::path& file) {
    zlib_filefunc64_def functions = wide_file_functions();
    std::unique_ptr<void, UnzipCloser> zip(unzOpen2_64(file.c_str(), &functions));
    if (!zip) {
        return fail(path_to_utf8(file) + ": not a zip file, or it cannot be opened");
    }
    std::vector<ArchiveEntry> entries;
    int code = unzGoToFirstFile(zip.get());
    while (code == UNZ_OK) {
        unz_file_info64 info{};
        std::vector<char> name(4096);
        code = unzGetCurrentFileInfo64(zip.get(), &info, name.data(),
                                       static_cast<uLong>(name.size()), nullptr, 0, nullptr, 0);
        if (code != UNZ_OK || (code = unzOpenCurrentFile(zip.get())) != UNZ_OK) {
            return fail(failed(file, "opening an entry", code));
        }
        ArchiveEntry entry;
        entry.name = name.data();
        std::vector<char> buffer(64 * 1024);
        int got = 0;
        while ((got = unzReadCurrentFile(zip.get(), buffer.data(),
                                         static_cast<unsigned>(buffer.size()))) > 0) {
            entry.bytes.append(buffer.data(), static_cast<std::size_t>(got));
        }
        // unzCloseCurrentFile checks the entry's CRC.
        if (got < 0 || (code = unzCloseCurrentFile(zip.get())) != UNZ_OK) {
            return fail(failed(file, "reading an entry", got < 0 ? got : code));
        }
        entries.push_back(std::move(entry));
        code = unzGoToNextFile(zip.get());
    }
    if (code != UNZ_END_OF_LIST_OF_FILE) {
        return fail(failed(file, "listing", code));
    }
    return entries;
}

}  // namespace psguard
