// DPAPI seam: on Windows a protected secret is unwrapped with CryptUnprotectData; elsewhere a
// protected secret cannot be read and says so.
#pragma once

#include <string>

#include "core/result.hpp"

namespace psguard {

// `base64_blob` is the base64 text after the "dpapi:" prefix.
Result<std::string> unprotect_secret(const std::string& base64_blob);

// The inverse, for `psguard protect-secret` (Windows only).
Result<std::string> protect_secret(const std::string& clear_text);

}  // namespace psguard
