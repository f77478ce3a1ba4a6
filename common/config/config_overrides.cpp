#include "config/config_overrides.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "core/ascii.hpp"

namespace psguard {
namespace {

constexpr std::array<OverridableKey, 5> kKeys{{
    {"ns.url", OverrideType::string, "NS_URL"},
    {"ns.report_guid", OverrideType::string, "REPORT_GUID"},
    {"credential_account", OverrideType::string, "CREDENTIAL_ACCOUNT"},
    {"endpoint.port", OverrideType::integer, "LISTEN_PORT"},
    {"heal.enabled", OverrideType::boolean, "HEAL"},
}};

const OverridableKey* find_key(std::string_view key) {
    const auto it = std::find_if(kKeys.begin(), kKeys.end(),
                                 [&](const OverridableKey& known) { return known.key == key; });
    return it == kKeys.end() ? nullptr : &*it;
}

std::string known_keys_text() {
    std::string text;
    for (const auto& known : kKeys) {
        text += (text.empty() ? "" : ", ") + std::string(known.key);
    }
    return text;
}

Result<nlohmann::json> convert(const ConfigOverride& item, OverrideType type) {
    const std::string where = item.key + " (" + item.origin + ")";
    switch (type) {
        case OverrideType::string:
            return nlohmann::json(item.value);
        case OverrideType::integer: {
            std::int64_t number = 0;
            const char* end = item.value.data() + item.value.size();
            const auto [ptr, ec] = std::from_chars(item.value.data(), end, number);
            if (ec != std::errc() || ptr != end) {
                return fail(where + ": expected a decimal integer, got \"" + item.value + "\"");
            }
            return nlohmann::json(number);
        }
        case OverrideType::boolean: {
            const std::string word = ascii_lower(item.value);
            if (word == "on" || word == "true" || word == "yes" || word == "1") {
                return nlohmann::json(true);
            }
            if (word == "off" || word == "false" || word == "no" || word == "0") {
                return nlohmann::json(false);
            }
            return fail(where + ": expected on or off, got \"" + item.value + "\"");
        }
    }
    return fail(where + ": unknown type");
}

}  // namespace

std::span<const OverridableKey> overridable_keys() {
    return kKeys;
}

Result<ConfigOverride> parse_set_option(std::string_view text, std::string origin) {
    const auto equals = text.find('=');
    if (equals == std::string_view::npos) {
        return fail(origin + ": expected KEY=VALUE, got \"" + std::string(text) + "\"");
    }
    ConfigOverride item{std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)),
                        std::move(origin)};
    if (find_key(item.key) == nullptr) {
        return fail(item.origin + ": \"" + item.key +
                    "\" cannot be set from the command line; one of: " + known_keys_text());
    }
    return item;
}

Status apply_config_overrides(nlohmann::json& document, const ConfigOverrides& overrides) {
    if (!document.is_object()) {
        return overrides.empty() ? Status() : fail("the configuration is not a JSON object");
    }
    for (const auto& item : overrides) {
        const OverridableKey* known = find_key(item.key);
        if (known == nullptr) {
            return fail(item.key + " (" + item.origin + "): not a setting that can be " +
                        "overridden; one of: " + known_keys_text());
        }
        if (item.value.empty()) {
            continue;  // an installer property left empty: the file decides
        }
        auto value = convert(item, known->type);
        if (!value) {
            return value.error();
        }
        nlohmann::json* node = &document;
        std::string_view rest = item.key;
        for (auto dot = rest.find('.'); dot != std::string_view::npos; dot = rest.find('.')) {
            const std::string section(rest.substr(0, dot));
            nlohmann::json& child = (*node)[section];
            if (child.is_null()) {
                child = nlohmann::json::object();
            }
            if (!child.is_object()) {
                return fail(item.key + " (" + item.origin + "): \"" + section +
                            "\" in the configuration file is not an object");
            }
            node = &child;
            rest.remove_prefix(dot + 1);
        }
        (*node)[std::string(rest)] = std::move(value).value();
    }
    return {};
}

std::string describe(const ConfigOverrides& overrides) {
    std::string text;
    for (const auto& item : overrides) {
        if (item.value.empty()) {
            continue;
        }
        text += (text.empty() ? "" : ", ") + item.key + " (" + item.origin + ")";
    }
    return text;
}

}  // namespace psguard
