#include "local/package_folder.hpp"

#include <optional>
#include <string_view>

#include "core/ascii.hpp"
#include "core/utf8_path.hpp"

namespace psguard {

namespace fs = std::filesystem;

namespace {

using NativeView = std::basic_string_view<fs::path::value_type>;

bool is_separator(fs::path::value_type c) {
    return c == '/' || c == fs::path::preferred_separator;
}

// Whether `name` is the id spelt in lower or upper case, compared in place (no path built).
bool spelt_as(NativeView name, const std::string& id, bool upper) {
    if (name.size() != id.size()) {
        return false;
    }
    for (std::size_t i = 0; i < id.size(); ++i) {
        const char c = upper ? ascii_upper(id[i]) : id[i];
        if (name[i] != static_cast<fs::path::value_type>(static_cast<unsigned char>(c))) {
            return false;
        }
    }
    return true;
}

// What follows `root` in `folder` when the scanner joined them (`root / name`); nullopt when
// `folder` is not directly under `root` as written. A root written differently only costs the
// folder being kept whole.
std::optional<NativeView> name_under(NativeView folder, NativeView root) {
    if (!folder.starts_with(root)) {
        return std::nullopt;
    }
    folder.remove_prefix(root.size());
    if (!root.empty() && !is_separator(root.back())) {
        if (folder.empty() || !is_separator(folder.front())) {
            return std::nullopt;
        }
        folder.remove_prefix(1);
    }
    return folder;
}

}  // namespace

std::array<fs::path, 2> usual_folder_names(const std::string& id) {
    return {utf8_to_path(id), utf8_to_path(ascii_upper(id))};
}

bool is_usual_folder_name(const fs::path& name, const std::string& id) {
    return spelt_as(name.native(), id, false) || spelt_as(name.native(), id, true);
}

// Runs for both folders of every package of every scan: compared in place, no path built.
PackageFolder PackageFolder::found(const fs::path& root, const std::string& id,
                                   const fs::path& folder) {
    PackageFolder result;
    const auto name = name_under(folder.native(), root.native());
    if (name && spelt_as(*name, id, false)) {
        result.where_ = Where::root_and_id;
    } else if (name && spelt_as(*name, id, true)) {
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
