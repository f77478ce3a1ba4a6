#include "local/package_folder.hpp"

#include "core/ascii.hpp"
#include "core/utf8_path.hpp"

namespace psguard {

namespace fs = std::filesystem;

namespace {

using NativeView = std::basic_string_view<fs::path::value_type>;

bool is_separator(fs::path::value_type c) {
    return c == '/' || c == fs::path::preferred_separator;
}

// Whether `folder` is `root` joined with the id spelt in lower or upper case, as the scanner
// joins them, compared in place: this runs for both folders of every package of every scan.
// A folder spelt another way (or a root written differently) is simply kept whole.
bool is_root_and_name(NativeView folder, NativeView root, const std::string& id, bool upper) {
    if (!folder.starts_with(root)) {
        return false;
    }
    folder.remove_prefix(root.size());
    if (!root.empty() && !is_separator(root.back())) {
        if (folder.empty() || !is_separator(folder.front())) {
            return false;
        }
        folder.remove_prefix(1);
    }
    if (folder.size() != id.size()) {
        return false;
    }
    for (std::size_t i = 0; i < id.size(); ++i) {
        const char c = upper ? ascii_upper(id[i]) : id[i];
        if (folder[i] != static_cast<fs::path::value_type>(static_cast<unsigned char>(c))) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::array<fs::path, 2> usual_folder_names(const std::string& id) {
    return {utf8_to_path(id), utf8_to_path(ascii_upper(id))};
}

PackageFolder PackageFolder::found(const fs::path& root, const std::string& id,
                                   const fs::path& folder) {
    PackageFolder result;
    if (is_root_and_name(folder.native(), root.native(), id, false)) {
        result.where_ = Where::root_and_id;
    } else if (is_root_and_name(folder.native(), root.native(), id, true)) {
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
