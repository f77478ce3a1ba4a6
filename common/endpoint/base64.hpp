// Base64 (RFC 4648, padded) for the endpoint: HTTP Basic credentials and the page's
// Content-Security-Policy hash. Beast's codec does the work.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace psguard {

std::string base64_encode(std::string_view bytes);

// nullopt unless `text` is well-formed padded base64 (length a multiple of 4, only the
// alphabet, '=' only as the last one or two characters).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace psguard
