#include "local/scan_cache.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

#include "core/guid.hpp"
#include "core/utf8_path.hpp"
#include "local/tree_scanner.hpp"

namespace psguard {
namespace {

namespace fs = std::filesystem;

// The package id of a path directly under `root` ("root/{guid}"), or nullopt.
std::optional<std::string> package_under(const fs::path& root, const fs::path& path) {
    if (root.empty() || path.empty()) {
        return std::nullopt;
    }
    const fs::path relative = path.lexically_normal().lexically_relative(root.lexically_normal());
    if (relative.empty() || relative == "." || *relative.begin() == "..") {
        return std::nullopt;
    }
    return normalise_guid(path_to_utf8(*relative.begin()));
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
    if (auto id = package_under(paths.package_delivery, finding.path);
        id && finding.path.lexically_normal().parent_path() ==
                  paths.package_delivery.lexically_normal()) {
        return id;
    }
    if (auto id = package_under(paths.package_status, finding.path);
        id &&
        finding.path.lexically_normal().parent_path() == paths.package_status.lexically_normal()) {
        return id;
    }
    return std::nullopt;
}

}  // namespace

const LocalScan& ScanCache::full(const PathsConfig& paths, const ParseConfig& parse) {
    scan_ = scan_local_state(paths, parse);
    paths_ = paths;
    parse_ = parse;
    last_was_full_ = true;
    return scan_;
}

bool ScanCache::reusable(const PathsConfig& paths, const ParseConfig& parse) const {
    return paths_ && parse_ && *paths_ == paths && *parse_ == parse &&
           !has_root_problem(scan_, paths);
}

const LocalScan& ScanCache::refresh(const PathsConfig& paths, const ParseConfig& parse,
                                    const std::set<std::string>& package_ids) {
    if (!reusable(paths, parse)) {
        return full(paths, parse);
    }
    LocalScan fresh = scan_local_packages(paths, parse, package_ids);
    if (has_root_problem(fresh, paths)) {
        return full(paths, parse);
    }
    for (const std::string& id : package_ids) {
        scan_.packages.erase(id);
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

std::optional<std::string> package_of_change(const PathsConfig& paths,
                                             const std::filesystem::path& changed) {
    if (auto id = package_under(paths.package_delivery, changed)) {
        return id;
    }
    return package_under(paths.package_status, changed);
}

}  // namespace psguard
