#include "local/local_state.hpp"

namespace psguard {

std::optional<std::string> LocalPackage::status() const {
    if (package_status) {
        return package_status->status;
    }
    return std::nullopt;
}

std::optional<std::string> LocalPackage::version() const {
    if (package_status && package_status->version) {
        return package_status->version;
    }
    if (snapshot) {
        return snapshot->version;
    }
    return std::nullopt;
}

const char* to_string(ScanFindingKind kind) {
    switch (kind) {
        case ScanFindingKind::unexpected_entry:
            return "unexpected_entry";
        case ScanFindingKind::reparse_point:
            return "reparse_point";
        case ScanFindingKind::followed_link:
            return "followed_link";
        case ScanFindingKind::duplicate_package:
            return "duplicate_package";
        case ScanFindingKind::root_missing:
            return "root_missing";
        case ScanFindingKind::root_unreadable:
            return "root_unreadable";
    }
    return "unknown";
}

}  // namespace psguard
