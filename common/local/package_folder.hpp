// Where one of a package's two folders is (Package Delivery or PackageStatus), kept for every
// package between cycles. Almost always <root>/<id> in one of the agent's two spellings (the
// normalised id or its upper case): then only which spelling is kept, the root being the scan's
// and the id the package's key (two whole paths per package were 1.6 MB of 10,000 packages'
// memory). Any other folder (a link read through, the first of duplicate folders, a name in
// mixed case) keeps its whole path.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "core/compact_path.hpp"

namespace psguard {

// The names the agent gives a package's folder: its normalised id and that id in upper case.
// ScanCache::refresh() looks for both; PackageFolder keeps either as the spelling alone.
std::array<std::filesystem::path, 2> usual_folder_names(const std::string& id);
// Whether `name` is one of them.
bool is_usual_folder_name(const std::filesystem::path& name, const std::string& id);

class PackageFolder {
  public:
    PackageFolder() = default;  // absent: the root has no folder for the package

    // The folder the scan found for package `id` under `root`.
    static PackageFolder found(const std::filesystem::path& root, const std::string& id,
                               const std::filesystem::path& folder);
    // A folder kept by its whole path, wherever it is.
    static PackageFolder at(const std::filesystem::path& folder);

    bool empty() const noexcept { return where_ == Where::absent; }
    // Whether only the spelling is kept (one of usual_folder_names() under the root).
    bool kept_as_spelling() const noexcept {
        return where_ == Where::root_and_id || where_ == Where::root_and_upper_id;
    }
    // The folder's path; empty when absent. `root` and `id` as given to found().
    std::filesystem::path path(const std::filesystem::path& root, const std::string& id) const;

  private:
    enum class Where : std::uint8_t { absent, root_and_id, root_and_upper_id, elsewhere };
    Where where_ = Where::absent;
    // Rare, so a pointer (24 bytes a folder, not 40); shared, so the scan stays copyable.
    std::shared_ptr<const CompactPath> elsewhere_;
};

}  // namespace psguard
