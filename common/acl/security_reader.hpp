// Platform seam: a folder's access control as the portable model. Windows: the owner, group and
// DACL (security_reader_windows.cpp); Linux: owner, group and the access ACL, or the mode bits
// when the folder has no extended ACL (security_reader_posix.cpp).
// Links are never followed: a symlink or junction is refused, because psguard does not check
// (or act) through a link; the tree scanner reports those separately.
#pragma once

#include <filesystem>
#include <variant>

#include "acl/acl_model.hpp"
#include "acl/posix_acl_model.hpp"
#include "core/result.hpp"

namespace psguard {

using PathSecurity = std::variant<acl::SecurityDescriptor, acl::PosixAcl>;

Result<PathSecurity> read_path_security(const std::filesystem::path& path);

}  // namespace psguard
