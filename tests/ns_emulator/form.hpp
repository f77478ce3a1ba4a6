// application/x-www-form-urlencoded bodies, as ASP.NET reads them for ASMX HTTP POST calls.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace psguard::emulator {

using FormFields = std::vector<std::pair<std::string, std::string>>;

// Percent-decoding with '+' as space; nullopt on a broken escape.
std::optional<std::string> form_decode(std::string_view text);

// "a=1&b=2" into decoded pairs, in order; nullopt when any escape is broken.
std::optional<FormFields> parse_form(std::string_view body);

// ASP.NET's form collection is case-insensitive; the first occurrence wins.
const std::string* find_field(const FormFields& fields, std::string_view name);

}  // namespace psguard::emulator
