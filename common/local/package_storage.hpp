// Where a package's files live. By default in the `cache` folder of its Package Delivery folder;
// with ITMS 8.x relocated storage (a custom location, KB 150359 / 180394) somewhere else, while
// snapshot.xml and the metadata stay under the agent's folder. What the agent records decides:
// snapshot.xml today, the agent's own package list (COM, IsCustomLocation) when a caller has it.
// Pure logic, no I/O: the tree scanner probes the folder this plan names.
#pragma once

#include <filesystem>
#include <optional>
#include <span>
#include <string>

namespace psguard {

// One record of the agent about a package's storage.
struct RecordedStorage {
    std::string source;                   // "snapshot.xml", "the agent's package list", ...
    std::optional<bool> custom_location;  // the custom-location flag; nullopt: not said
    std::optional<std::string> location;  // the folder holding the files, as recorded
};

enum class StorageKind {
    cache,      // <package folder>\cache, the default
    relocated,  // a folder the agent records, outside the package folder
    unknown,    // the agent says "custom location" but records no folder psguard can use
};

struct StoragePlan {
    StorageKind kind = StorageKind::cache;
    std::filesystem::path files_dir;  // cache and relocated: the folder to check the files in
    std::string source;               // relocated and unknown: the record that said so
};

// `package_dir`: the package's folder under Package Delivery, as the agent names it. The first
// record with an absolute location wins: the package folder or its cache folder (compared as
// the platform compares names) is the default `cache`, anything else `relocated`. Without one,
// a custom-location flag in any record makes the plan `unknown`; otherwise it is `cache`.
StoragePlan plan_package_storage(const std::filesystem::path& package_dir,
                                 std::span<const RecordedStorage> records);

}  // namespace psguard
