// HTTP Basic authentication, as IIS does it when Basic is enabled on the NS.
#pragma once

#include <string>
#include <string_view>

#include "scenario.hpp"

namespace psguard::emulator {

std::string base64_encode(std::string_view data);

// True when `authorization` (the header's value) carries exactly these credentials.
bool basic_credentials_match(std::string_view authorization, const BasicAuth& expected);

}  // namespace psguard::emulator
