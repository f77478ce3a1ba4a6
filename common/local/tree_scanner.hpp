// Reads the Package Server's local state, read-only: every package folder under Package Delivery
// (snapshot.xml, the cache checked against it) and under PackageStatus (PackageStatus.xml).
//
// Safety rules, all of them reported as findings or per-package reasons, never thrown:
// - nothing is written, renamed or locked; files are opened sharing read/write/delete;
// - entries whose names are not braced GUIDs are reported (unexpected_entry) and left alone;
// - symlinks, junctions and other reparse points are never followed (reparse_point; the package
//   is unreadable), except a symlink or junction whose target lies inside one of
//   PathsConfig::storage_roots (followed_link; the package is read through it, from the
//   resolved target folder, which then becomes its delivery_dir/status_dir);
// - snapshot.xml and PackageStatus.xml are matched case-insensitively, must be regular files and
//   are read within ParseConfig::max_file_bytes;
// - relocated storage (local/package_storage.hpp): the files are checked in the folder
//   snapshot.xml records; a `cache` link into that folder is allowed; a custom location with no
//   readable folder is looked for as <storage root>/<GUID>, else the package is unreadable with
//   a reason naming the settings.
#pragma once

#include <cstddef>
#include <filesystem>
#include <set>
#include <string>

#include "config/config.hpp"
#include "local/local_state.hpp"

namespace psguard {

// Paths longer than this (the whole path, drive included) are a known cause of ITMS failures.
inline constexpr std::size_t kAgentMaxPathChars = 254;

LocalScan scan_local_state(const PathsConfig& paths, const ParseConfig& parse);

// The same rules for the named packages only (normalised "{guid}" ids), in both roots: their
// packages and the findings about their folders. Entries of other packages and entries that are
// not packages are not looked at; root findings are reported as by a full scan.
LocalScan scan_local_packages(const PathsConfig& paths, const ParseConfig& parse,
                              const std::set<std::string>& package_ids);

// The same without listing the roots: only the entries `folder_names` (names in either root; a
// name that does not exist is absent) are looked at. For callers that know every spelling of
// the packages' folder names, such as the incremental scanner.
LocalScan scan_named_packages(const PathsConfig& paths, const ParseConfig& parse,
                              const std::set<std::string>& package_ids,
                              const std::set<std::filesystem::path>& folder_names);

}  // namespace psguard
