#include <windows.h>

#include "collect/zip_file.hpp"

// After zip.h: iowin32.h uses zlib's macros without including zlib.h.
#include <iowin32.h>

namespace psguard {
namespace {

zlib_filefunc64_def wide_file_functions() {
    zlib_filefunc64_def functions{};
    fill_win32_filefunc64W(&functions);
    return functions;
}

}  // namespace

zipFile create_zip_file(const std::filesystem::path& file) {
    zlib_filefunc64_def functions = wide_file_functions();
    return zipOpen2_64(file.c_str(), APPEND_STATUS_CREATE, nullptr, &functions);
}

unzFile open_zip_file(const std::filesystem::path& file) {
    zlib_filefunc64_def functions = wide_file_functions();
    return unzOpen2_64(file.c_str(), &functions);
}

std::tm local_calendar_time(std::time_t when) {
    std::tm local{};
    localtime_s(&local, &when);
    return local;
}

}  // namespace psguard
