#include "collect/archive.hpp"

#include <ctime>
#include <memory>
#include <vector>

#include "collect/zip_file.hpp"
#include "core/utf8_path.hpp"

namespace psguard {
namespace {

struct ZipCloser {
    void operator()(void* handle) const noexcept { zipClose(handle, nullptr); }
};
struct UnzipCloser {
    void operator()(void* handle) const noexcept { unzClose(handle); }
};

std::string failed(const std::filesystem::path& file, const char* what, int code) {
    return path_to_utf8(file) + ": " + what + " failed (minizip error " + std::to_string(code) +
           ")";
}

zip_fileinfo entry_info(std::time_t when) {
    const std::tm local = local_calendar_time(when);
    zip_fileinfo info{};
    // tm_zip's fields are uInt in Debian's minizip and int in zlib 1.2.13's (the Windows build).
    using Field = decltype(info.tmz_date.tm_sec);
    info.tmz_date.tm_sec = static_cast<Field>(local.tm_sec);
    info.tmz_date.tm_min = static_cast<Field>(local.tm_min);
    info.tmz_date.tm_hour = static_cast<Field>(local.tm_hour);
    info.tmz_date.tm_mday = static_cast<Field>(local.tm_mday);
    info.tmz_date.tm_mon = static_cast<Field>(local.tm_mon);
    info.tmz_date.tm_year = static_cast<Field>(local.tm_year + 1900);
    return info;
}

}  // namespace

std::string_view archive_extension() {
    return ".zip";
}

Status write_archive(const std::filesystem::path& file, const std::vector<ArchiveEntry>& entries) {
    std::unique_ptr<void, ZipCloser> zip(create_zip_file(file));
    if (!zip) {
        return fail(path_to_utf8(file) + ": cannot create the zip file");
    }
    const zip_fileinfo info = entry_info(std::time(nullptr));
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
    std::unique_ptr<void, UnzipCloser> zip(open_zip_file(file));
    if (!zip) {
        return fail(path_to_utf8(file) + ": not a zip file, or it cannot be opened");
    }
    std::vector<ArchiveEntry> entries;
    std::vector<char> name(4096);
    std::vector<char> buffer(64 * 1024);
    int code = unzGoToFirstFile(zip.get());
    while (code == UNZ_OK) {
        unz_file_info64 info{};
        code = unzGetCurrentFileInfo64(zip.get(), &info, name.data(),
                                       static_cast<uLong>(name.size()), nullptr, 0, nullptr, 0);
        if (code != UNZ_OK || (code = unzOpenCurrentFile(zip.get())) != UNZ_OK) {
            return fail(failed(file, "opening an entry", code));
        }
        ArchiveEntry entry;
        entry.name = name.data();
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
