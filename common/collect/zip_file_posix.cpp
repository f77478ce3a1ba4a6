#include "collect/zip_file.hpp"

namespace psguard {

zipFile create_zip_file(const std::filesystem::path& file) {
    return zipOpen64(file.c_str(), APPEND_STATUS_CREATE);
}

unzFile open_zip_file(const std::filesystem::path& file) {
    return unzOpen64(file.c_str());
}

std::tm local_calendar_time(std::time_t when) {
    std::tm local{};
    localtime_r(&when, &local);
    return local;
}

}  // namespace psguard
