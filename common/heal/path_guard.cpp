#include "heal/path_guard.hpp"

#include "core/guid.hpp"
#include "core/utf8_path.hpp"
#include "platform/file_links.hpp"

namespace psguard {
namespace {

namespace fs = std::filesystem;

struct RootMatch {
    fs::path root;
};

std::optional<RootMatch> root_of(const PathsConfig& paths, const fs::path& folder) {
    for (const auto& root : {paths.package_delivery, paths.package_status}) {
        if (!root.empty() && same_path(folder.parent_path(), root)) {
            return RootMatch{root.lexically_normal()};
        }
    }
    for (const auto& root : paths.storage_roots) {
        if (path_within(root, folder) && !same_path(root, folder)) {
            return RootMatch{root.lexically_normal()};
        }
    }
    return std::nullopt;
}

// Walks from the root to `path`, refusing any link on the way.
Status no_links_from_root(const fs::path& root, const fs::path& path, bool last_is_file) {
    const auto root_depth = path_components(root).size();
    const auto parts = path_components(path);
    fs::path current = path.root_path();
    std::size_t depth = 0;
    const std::size_t total = parts.size();
    for (const auto& part : parts) {
        current = depth == 0 ? part : current / part;
        ++depth;
        if (depth < root_depth) {
            continue;  // above the configured root: the administrator's choice
        }
        auto entry = inspect_entry(current);
        if (!entry) {
            return fail(entry.error().message);
        }
        if (entry->link != LinkKind::none) {
            return fail(path_to_utf8(current) + " is a " + to_string(entry->link) +
                        ": psguard never acts through a link");
        }
        const bool last = depth == total;
        if (last && last_is_file && !entry->is_regular_file) {
            return fail(path_to_utf8(current) + " is not a regular file");
        }
        if ((!last || !last_is_file) && !entry->is_directory) {
            return fail(path_to_utf8(current) + " is not a folder");
        }
    }
    return {};
}

Status check_folder(const PathsConfig& paths, const fs::path& folder, std::string_view package_id,
                    RootMatch& match) {
    if (!folder.is_absolute() || folder.lexically_normal() != folder) {
        return fail(path_to_utf8(folder) + " is not an absolute, normal path");
    }
    const auto id = normalise_guid(path_to_utf8(folder.filename()));
    if (!id || *id != package_id) {
        return fail(path_to_utf8(folder) + " is not the folder of package " +
                    std::string(package_id));
    }
    auto root = root_of(paths, folder);
    if (!root) {
        return fail(path_to_utf8(folder) +
                    " is not a package folder directly under Package Delivery or PackageStatus, "
                    "nor inside an allow-listed storage root");
    }
    match = *root;
    return {};
}

}  // namespace

Status check_heal_target(const PathsConfig& paths, const fs::path& file,
                         std::string_view package_id, std::string_view expected_name) {
    if (expected_name != "snapshot.xml" && expected_name != "PackageStatus.xml") {
        return fail(path_to_utf8(file) +
                    ": psguard only ever removes snapshot.xml and PackageStatus.xml");
    }
    if (!same_file_name(file.filename(), utf8_to_path(expected_name))) {
        return fail(path_to_utf8(file) + ": psguard only ever removes " +
                    std::string(expected_name) + " here");
    }
    RootMatch match;
    if (auto folder = check_folder(paths, file.parent_path(), package_id, match); !folder) {
        return folder;
    }
    return no_links_from_root(match.root, file, /*last_is_file=*/true);
}

Status check_restore_folder(const PathsConfig& paths, const fs::path& folder,
                            std::string_view package_id) {
    RootMatch match;
    if (auto checked = check_folder(paths, folder, package_id, match); !checked) {
        return checked;
    }
    auto existing = probe_entry(folder);
    if (!existing) {
        return existing.error();
    }
    // An existing folder is checked like any target; a missing one is (re)created under a
    // root that is itself checked.
    return no_links_from_root(match.root, existing->has_value() ? folder : match.root,
                              /*last_is_file=*/false);
}

Status check_quarantine_source(const fs::path& quarantine_root, const fs::path& file,
                               const fs::path& expected) {
    if (!file.is_absolute() || file.lexically_normal() != file || !same_path(file, expected)) {
        return fail(path_to_utf8(file) + " is not where psguard keeps this file (" +
                    path_to_utf8(expected) + ")");
    }
    return no_links_from_root(quarantine_root, file, /*last_is_file=*/true);
}

}  // namespace psguard
