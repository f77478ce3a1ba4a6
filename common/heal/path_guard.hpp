// The last line of defence before psguard moves or deletes a file on a production server.
// A heal target is accepted only when:
// - it is an absolute, normal path (no "..") whose file name is the one expected
//   (snapshot.xml or PackageStatus.xml, compared as Windows compares names);
// - its folder is named by the package's GUID, and that folder is a direct child of the
//   Package Delivery or PackageStatus root (or lies inside an allow-listed storage root);
// - no component from the root down to the file itself is a symlink, junction or other
//   reparse point; the folders are folders and the file is a regular file.
// A refusal is a finding with the reason, never a crash.
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "core/result.hpp"

namespace psguard {

Status check_heal_target(const PathsConfig& paths, const std::filesystem::path& file,
                         std::string_view package_id, std::string_view expected_name);

// The same rules for a folder that a restore may (re)create: a direct child of a root.
Status check_restore_folder(const PathsConfig& paths, const std::filesystem::path& folder,
                            std::string_view package_id);

// A file that restore or crash recovery may take out of the quarantine: exactly at `expected`
// (where the healer puts that file of that action, inside state_dir/quarantine/<action-id>/),
// a regular file, and no component from the quarantine folder down to it is a link. The
// journal says where a file went; this makes sure a damaged or forged journal cannot make
// psguard move a file from anywhere else into a package folder.
Status check_quarantine_source(const std::filesystem::path& quarantine_root,
                               const std::filesystem::path& file,
                               const std::filesystem::path& expected);

}  // namespace psguard
