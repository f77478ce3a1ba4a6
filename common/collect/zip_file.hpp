// Opening a zip file by name for minizip: the only part of the support bundle's archive that
// differs by OS. Windows opens UTF-16 names through minizip's Win32 file functions (iowin32), so
// that any file name works; POSIX hands the native name to the C library's.
#pragma once

#include <unzip.h>
#include <zip.h>

#include <ctime>
#include <filesystem>

namespace psguard {

zipFile create_zip_file(const std::filesystem::path& file);  // replaces `file`; null on failure
unzFile open_zip_file(const std::filesystem::path& file);    // null on failure

// `when` in local calendar time, as zip entries record their time.
std::tm local_calendar_time(std::time_t when);

}  // namespace psguard
