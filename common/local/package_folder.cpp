#include "local/package_folder.hpp"

#include "core/ascii.hpp"
#include "core/utf8_path.hpp"

namespace psguard {

namespace fs = std::filesystem;

PackageFolder PackageFolder::found(const fs::path& root, const std::string& id,
                                   const fs::path& folder) {
    PackageFolder result;
    if (folder == root / utf8_to_path(id)) {
        result.where_ = Where::root_and_id;
    } else if (folder == root / utf8_to_path(ascii_upper(id))) {
        result.where_ = Where::root_and_upper_id;
    } else {
        result = at(folder);
    }
    return result;
}

PackageFolder PackageFolder::at(const fs::path& folder) {
    PackageFolder result;
    if (!folder.empty()) {
        result.where_ = Where::elsewhere;
        result.elsewhere_ = std::make_shared<const CompactPath>(folder);
    }
    return result;
}

fs::path PackageFolder::path(const fs::path& root, const std::string& id) const {
    switch (where_) {
        case Where::absent:
            return {};
        case Where::root_and_id:
            return root / utf8_to_path(id);
        case Where::root_and_upper_id:
            return root / utf8_to_path(ascii_upper(id));
        case Where::elsewhere:
            return elsewhere_->path();
    }
    return {};
}

}  // namespace psguard
