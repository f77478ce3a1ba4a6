#include "platform/private_file.hpp"
#include "core/utf8_path.hpp"

namespace psguard {

std::string too_large_text(const std::filesystem::path& file, std::string_view what,
                           std::size_t max_bytes) {
    return path_to_utf8(file) + ": the " + std::string(what) + " file is larger than " +
           std::to_string(max_bytes / 1024) + " KiB";
}

}  // namespace psguard
