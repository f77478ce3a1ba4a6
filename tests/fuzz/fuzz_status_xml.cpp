// libFuzzer target: the Package Server's own XML files (snapshot.xml, PackageStatus.xml) through
// the parsers the tree scanner uses, with the default (tolerant) XPaths. The first byte picks the
// parser, so one corpus covers both; any encoding (UTF-8, UTF-16 with a BOM, ...) may follow.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/config.hpp"
#include "local/status_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    static const psguard::ParseConfig config;
    const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
    if ((data[0] & 1) == 0) {
        auto parsed = psguard::parse_status_document(bytes, config);
        if (parsed && parsed->status && parsed->status->empty()) {
            std::abort();  // documented: blanks read as nullopt, never as ""
        }
    } else {
        auto parsed = psguard::parse_snapshot_document(bytes, config);
        if (parsed) {
            for (const psguard::SnapshotFile& file : parsed->files) {
                // Documented: a name that leaves the cache folder is an error, never a file.
                if (file.name.empty() || file.name.find("..") == 0) {
                    std::abort();
                }
            }
        }
    }
    return 0;
}
