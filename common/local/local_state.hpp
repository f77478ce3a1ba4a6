// What the Package Server's own folders say, per package. Produced by the tree scanner,
// consumed by the reconciler; a plain value so that cycles can be compared and cached.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "local/package_folder.hpp"

namespace psguard {

// A parsed snapshot.xml or PackageStatus.xml.
struct StatusDocument {
    std::optional<std::string> status;
    std::optional<std::string> version;
};

struct SnapshotFile {
    std::string name;  // relative to the package's cache folder, '/' or '\' separated
    std::uint64_t size = 0;
};

struct SnapshotDocument {
    std::optional<std::string> version;
    std::vector<SnapshotFile> files;
    // Relocated storage: the folder holding the files, as recorded (absolute, or nullopt), and
    // the custom-location flag (nullopt when the snapshot does not say).
    std::optional<std::string> location = std::nullopt;
    std::optional<bool> custom_location = std::nullopt;
};

// A parsed snapshot.xml as it is kept per package between cycles (10,000 of them on a large
// Package Server): its version; nullopt when it records none.
struct SnapshotSummary {
    std::optional<std::string> version;
};

// One package as the folders show it; its normalised id is its key in LocalScan::packages, and
// the paths of its folders are LocalScan::delivery_dir / status_dir.
struct LocalPackage {
    PackageFolder delivery_folder;  // empty when absent from Package Delivery
    PackageFolder status_folder;    // empty when absent from PackageStatus
    // What its snapshot.xml leaves for later cycles; the file list and the recorded storage
    // location are checked while scanning and not kept.
    std::optional<SnapshotSummary> snapshot;
    std::optional<StatusDocument> package_status;
    // Set when a file could not be read or parsed (too big, truncated, malformed, unreadable).
    std::optional<std::string> unreadable_reason;
    // Set when the files are readable but the package is not complete (missing file, cache
    // file missing or with the wrong size).
    std::optional<std::string> incomplete_reason;

    // The status/version psguard believes the Package Server holds: PackageStatus.xml first,
    // the snapshot's version as fallback.
    std::optional<std::string> status() const;
    std::optional<std::string> version() const;
};

enum class ScanFindingKind {
    unexpected_entry,   // a file or folder whose name is not a braced GUID
    reparse_point,      // symlink, junction or other reparse point: reported, not followed
    followed_link,      // a junction into an allow-listed storage root, read through
    duplicate_package,  // two folders normalise to the same id (case variants)
    root_missing,
    root_unreadable,
};

struct ScanFinding {
    ScanFindingKind kind;
    std::filesystem::path path;
    std::string detail;
};

struct LocalScan {
    std::map<std::string, LocalPackage> packages;  // by normalised id
    std::vector<ScanFinding> findings;
    // The roots scanned (paths.package_delivery, paths.package_status): a package's folder
    // directly under one of them is kept as its spelling alone.
    std::filesystem::path delivery_root;
    std::filesystem::path status_root;

    // The package's folders; empty when absent.
    std::filesystem::path delivery_dir(const std::string& id, const LocalPackage& package) const {
        return package.delivery_folder.path(delivery_root, id);
    }
    std::filesystem::path status_dir(const std::string& id, const LocalPackage& package) const {
        return package.status_folder.path(status_root, id);
    }
};

const char* to_string(ScanFindingKind kind);

}  // namespace psguard
