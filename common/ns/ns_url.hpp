// The NS base URL from the configuration: scheme, host and port only ("https://ns01:443").
#pragma once

#include <string_view>

#include "core/result.hpp"
#include "ns/http_transport.hpp"

namespace psguard {

Result<HttpEndpoint> parse_ns_url(std::string_view url);

// "application/x-www-form-urlencoded" encoding of one value (RFC 3986 unreserved kept as is).
std::string form_encode(std::string_view value);

}  // namespace psguard
