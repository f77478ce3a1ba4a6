#include "local/package_storage.hpp"

#include "core/utf8_path.hpp"
#include "platform/file_links.hpp"

namespace psguard {
namespace fs = std::filesystem;

StoragePlan plan_package_storage(const fs::path& package_dir,
                                 std::span<const RecordedStorage> records) {
    const fs::path cache = package_dir / "cache";
    const RecordedStorage* flagged = nullptr;
    for (const RecordedStorage& record : records) {
        if (record.location && !record.location->empty()) {
            const fs::path location = utf8_to_path(*record.location).lexically_normal();
            if (location.is_absolute()) {
                // The default recorded explicitly is the default, whatever the flag says.
                if (same_path(location, package_dir) || same_path(location, cache)) {
                    return StoragePlan{StorageKind::cache, cache, record.source};
                }
                return StoragePlan{StorageKind::relocated, location, record.source};
            }
        }
        if (record.custom_location.value_or(false) && flagged == nullptr) {
            flagged = &record;
        }
    }
    if (flagged != nullptr) {
        return StoragePlan{StorageKind::unknown, {}, flagged->source};
    }
    return StoragePlan{StorageKind::cache, cache, {}};
}

}  // namespace psguard
