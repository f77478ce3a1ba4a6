#include "local/scan_cache.hpp"

#include <algorithm>
#include <iterator>
#include <utility>
#include <vector>

#include "core/ascii.hpp"
#include "core/guid.hpp"
#include "core/utf8_path.hpp"
#include "local/package_folder.hpp"
#include "local/tree_scanner.hpp"

namespace psguard {
namespace {

namespace fs = std::filesystem;

// The package folder a path lies in directly under `root` ("root/{guid}/..."), or nullopt.
std::optional<ChangedPackage> package_under(const fs::path& root, const fs::path& path) {
    if (root.empty() || path.empty()) {
        return std::nullopt;
    }
    const fs::path relative = path.lexically_normal().lexically_relative(root.lexically_normal());
    if (relative.empty() || relative == "." || *relative.begin() == "..") {
        return std::nullopt;
    }
    auto id = normalise_guid(path_to_utf8(*relative.begin()));
    if (!id) {
        return std::nullopt;
    }
    return ChangedPackage{std::move(*id), *relative.begin()};
}

// Findings that concern a root as a whole: after them, nothing of the old scan is trusted.
bool is_root_problem(const ScanFinding& finding, const PathsConfig& paths) {
    return finding.kind == ScanFindingKind::root_missing ||
           finding.kind == ScanFindingKind::root_unreadable ||
           finding.path == paths.package_delivery || finding.path == paths.package_status;
}

bool has_root_problem(const LocalScan& scan, const PathsConfig& paths) {
    return std::any_of(scan.findings.begin(), scan.findings.end(),
                       [&](const ScanFinding& finding) { return is_root_problem(finding, paths); });
}

// The package a finding is about, when it is about one package folder.
std::optional<std::string> package_of_finding(const ScanFinding& finding,
                                              const PathsConfig& paths) {
    for (const auto* root : {&paths.package_delivery, &paths.package_status}) {
        if (auto package = package_under(*root, finding.path);
            package && finding.path.lexically_normal().parent_path() == root->lexically_normal()) {
            return package->id;
        }
    }
    return std::nullopt;
}

}  // namespace

void ScanCache::remember_name(const std::string& id, const fs::path& name) {
    // The spellings refresh() always tries (usual_folder_names) need no entry.
    if (!is_usual_folder_name(name, id)) {
        names_[id].insert(name);  // kept for the life of the agent: only unusual spellings
    }
}

void ScanCache::learn_names(const fs::path& root) {
    std::error_code ec;
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
        const fs::path name = it->path().filename();
        if (auto id = normalise_guid(path_to_utf8(name))) {
            remember_name(*id, name);
        }
    }
}

const LocalScan& ScanCache::full(const PathsConfig& paths, const ParseConfig& parse) {
    scan_ = scan_local_state(paths, parse);
    paths_ = paths;
    parse_ = parse;
    names_.clear();
    learn_names(paths.package_delivery);
    learn_names(paths.package_status);
    last_was_full_ = true;
    return scan_;
}

bool ScanCache::reusable(const PathsConfig& paths, const ParseConfig& parse) const {
    return paths_ && parse_ && *paths_ == paths && *parse_ == parse &&
           !has_root_problem(scan_, paths);
}

const LocalScan& ScanCache::refresh(const PathsConfig& paths, const ParseConfig& parse,
                                    const std::set<std::string>& package_ids,
                                    const std::set<fs::path>& folder_names) {
    if (!reusable(paths, parse)) {
        return full(paths, parse);
    }
    // Known names first, then the watcher's, then the usual spellings; on a case-insensitive
    // file system (Windows) two spellings can name one folder, which must not look like two.
    std::vector<fs::path> candidates;
    for (const std::string& id : package_ids) {
        if (const auto known = names_.find(id); known != names_.end()) {
            candidates.insert(candidates.end(), known->second.begin(), known->second.end());
        }
    }
    candidates.insert(candidates.end(), folder_names.begin(), folder_names.end());
    for (const std::string& id : package_ids) {
        const auto usual = usual_folder_names(id);
        candidates.insert(candidates.end(), usual.begin(), usual.end());
    }
    std::set<fs::path> names;
    for (const fs::path& name : candidates) {
        const bool same_as_kept =
            std::any_of(names.begin(), names.end(), [&](const fs::path& kept) {
                for (const auto* root : {&paths.package_delivery, &paths.package_status}) {
                    std::error_code ec;
                    if (fs::equivalent(*root / name, *root / kept, ec) && !ec) {
                        return true;
                    }
                }
                return false;
            });
        if (!same_as_kept) {
            names.insert(name);
        }
    }
    LocalScan fresh = scan_named_packages(paths, parse, package_ids, names);
    if (has_root_problem(fresh, paths)) {
        return full(paths, parse);
    }
    for (const std::string& id : package_ids) {
        scan_.packages.erase(id);
    }
    for (const fs::path& name : names) {
        // Remember the spellings that exist now (a removed folder is forgotten).
        const auto id = normalise_guid(path_to_utf8(name));
        if (!id) {
            continue;
        }
        std::error_code ec;
        const bool exists = fs::exists(fs::symlink_status(paths.package_delivery / name, ec)) ||
                            fs::exists(fs::symlink_status(paths.package_status / name, ec));
        if (exists) {
            remember_name(*id, name);
        } else if (auto known = names_.find(*id); known != names_.end()) {
            known->second.erase(name);
            if (known->second.empty()) {
                names_.erase(known);
            }
        }
    }
    std::erase_if(scan_.findings, [&](const ScanFinding& finding) {
        const auto id = package_of_finding(finding, paths);
        return id && package_ids.contains(*id);
    });
    for (auto& [id, package] : fresh.packages) {
        scan_.packages.insert_or_assign(id, std::move(package));
    }
    std::move(fresh.findings.begin(), fresh.findings.end(), std::back_inserter(scan_.findings));
    last_was_full_ = false;
    return scan_;
}

std::optional<ChangedPackage> package_of_change(const PathsConfig& paths,
                                                const std::filesystem::path& changed) {
    if (auto package = package_under(paths.package_delivery, changed)) {
        return package;
    }
    return package_under(paths.package_status, changed);
}

}  // namespace psguard
