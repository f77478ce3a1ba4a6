// A package as the scanner reads a complete, Ready one: for the reconciler's tests.
#pragma once

#include <filesystem>
#include <string>

#include "local/local_state.hpp"

namespace psguard::test {

inline LocalPackage ready_local_package(const std::string& id, const std::string& version) {
    LocalPackage package;
    package.delivery_folder = PackageFolder::at(std::filesystem::path("/pd/" + id));
    package.status_folder = PackageFolder::at(std::filesystem::path("/ps/" + id));
    package.snapshot = SnapshotSummary{version};
    package.package_status = StatusDocument{"Ready", version};
    return package;
}

}  // namespace psguard::test
