// Reading JSON documents for people (the report, /v1/status and friends): a missing or
// mistyped member reads as null, never throws.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/display_text.hpp"

namespace psguard {

// object[name], or null when `object` is not an object or has no such member.
inline const nlohmann::json& field(const nlohmann::json& object, const char* name) {
    static const nlohmann::json null_value;  // immutable: the "absent" answer
    if (!object.is_object()) {
        return null_value;
    }
    const auto it = object.find(name);
    return it == object.end() ? null_value : *it;
}

// A string as one printable line (core/display_text.hpp: no value can start a line or move the
// cursor), null as `fallback`, anything else as its JSON text.
inline std::string text_of(const nlohmann::json& value, const std::string& fallback = "-") {
    if (value.is_string()) {
        return printable_line(value.get<std::string>());
    }
    return value.is_null() ? fallback
                           : value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace psguard
