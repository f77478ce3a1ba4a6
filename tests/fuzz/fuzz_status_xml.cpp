// libFuzzer target: the Package Server's own XML files (snapshot.xml, PackageStatus.xml) through
// the parsers the tree scanner uses, with the default (tolerant) XPaths. The first byte picks the
// parser, so one corpus covers both; any encoding (UTF-8, UTF-16 with a BOM, ...) may follow.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace {

// Documented: a snapshot name that leaves the cache folder (a ".." component, a drive or stream
// ':') or names nothing is an error, never a file entry.
bool stays_in_cache(std::string_view name) {
    bool has_component = false;
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t end = start;
        while (end < name.size() && name[end] != '/' && name[end] != '\\') {
            ++end;
        }
        const std::string_view component = name.substr(start, end - start);
        if (component == ".." || component.find(':') != std::string_view::npos) {
            return false;
        }
        has_component = has_component || (!component.empty() && component != ".");
        start = end + 1;
    }
    return has_component;
}

}  // namespace

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
                if (!stays_in_cache(file.name)) {
                    std::abort();
                }
            }
        }
    }
    return 0;
}
