// Settings that come from outside the configuration file and win over it. Two sources, in
// rising precedence: the installer's properties (the MSI writes them as registry values under
// HKLM\SOFTWARE\psguard, one value per key, named by the key: "ns.url") and `--set KEY=VALUE` on
// the command line. So: command line > installer properties > file > defaults.
//
// Only the keys an installer sets are overridable (overridable_keys()); each is applied to the
// parsed file before validation, so an overridden value is checked exactly like one in the file.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"

namespace psguard {

enum class OverrideType { string, integer, boolean };

struct OverridableKey {
    std::string_view key;           // dotted path in the file: "endpoint.port"
    OverrideType type;              // what the text is converted to
    std::string_view msi_property;  // the MSI property that sets it: "LISTEN_PORT"
};

std::span<const OverridableKey> overridable_keys();

struct ConfigOverride {
    std::string key;     // one of overridable_keys()
    std::string value;   // as text; converted to the key's type when applied
    std::string origin;  // for messages: "--set", "HKLM\\SOFTWARE\\psguard"
};

using ConfigOverrides = std::vector<ConfigOverride>;

// `KEY=VALUE` from the command line; the key must be overridable.
Result<ConfigOverride> parse_set_option(std::string_view text, std::string origin = "--set");

// Writes every override into `document` (a JSON object: the parsed file), in order, so a later
// override wins over an earlier one. An empty value is "not set" and changes nothing. Booleans
// accept on/off, true/false, yes/no, 1/0 (any case); integers are decimal.
Status apply_config_overrides(nlohmann::json& document, const ConfigOverrides& overrides);

// "ns.url (HKLM\SOFTWARE\psguard), endpoint.port (--set)": for error messages and logs.
std::string describe(const ConfigOverrides& overrides);

// The registry key the MSI writes its properties to (under HKEY_LOCAL_MACHINE, 64-bit view).
inline constexpr std::string_view kInstallerSettingsKey = "SOFTWARE\\psguard";

// Seam: on Windows, the REG_SZ/REG_DWORD values under HKLM\<registry_key> (an absent key is no
// overrides; a value whose name is not an overridable key is an error: a misspelling must not
// silently fall back to the file). Elsewhere there is no installer store: always empty.
Result<ConfigOverrides> read_installer_overrides(
    std::string_view registry_key = kInstallerSettingsKey);

}  // namespace psguard
