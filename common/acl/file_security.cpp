#include "acl/file_security.hpp"

#include <charconv>

#include "core/octal_mode.hpp"

namespace psguard {

nlohmann::json to_json(const FileSecurity& security) {
    if (!security.descriptor.empty()) {
        return {{"descriptor", security.descriptor}};
    }
    nlohmann::json json = {
        {"owner", security.owner}, {"group", security.group}, {"mode", octal_mode(security.mode)}};
    if (!security.acl.empty()) {
        json["acl"] = security.acl;
    }
    return json;
}

Result<FileSecurity> file_security_from_json(const nlohmann::json& json) {
    if (!json.is_object()) {
        return fail("the file's saved security is not a JSON object");
    }
    FileSecurity security;
    if (const auto descriptor = json.find("descriptor"); descriptor != json.end()) {
        if (!descriptor->is_string() || descriptor->get<std::string>().empty()) {
            return fail("the saved security descriptor is not SDDL text");
        }
        security.descriptor = descriptor->get<std::string>();
        return security;
    }
    const auto owner = json.find("owner");
    const auto group = json.find("group");
    const auto mode = json.find("mode");
    if (owner == json.end() || !owner->is_number_unsigned() || group == json.end() ||
        !group->is_number_unsigned() || mode == json.end() || !mode->is_string()) {
        return fail("the file's saved security lacks its owner, group or mode");
    }
    security.owner = owner->get<std::uint32_t>();
    security.group = group->get<std::uint32_t>();
    const std::string text = mode->get<std::string>();
    const auto [end, ec] =
        std::from_chars(text.data(), text.data() + text.size(), security.mode, 8);
    if (ec != std::errc() || end != text.data() + text.size() || security.mode > 07777) {
        return fail("the saved mode \"" + text + "\" is not an octal file mode");
    }
    if (const auto acl = json.find("acl"); acl != json.end()) {
        if (!acl->is_string()) {
            return fail("the saved ACL is not text");
        }
        security.acl = acl->get<std::string>();
    }
    return security;
}

}  // namespace psguard
