// Package ids: folder names are GUIDs in braces, seen in either case. They are normalised to
// "{lower-case}" so that Package Delivery, PackageStatus and the NS rows match each other.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace psguard {

// "{6C821F5E-...}" or "{6c821f5e-...}" -> "{6c821f5e-...}". Without braces only when
// allow_bare is set (NS columns sometimes omit them); anything else is not a package id.
std::optional<std::string> normalise_guid(std::string_view text, bool allow_bare = false);

}  // namespace psguard
