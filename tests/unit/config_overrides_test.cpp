// The override merge (portable): installer properties and --set written over the file before
// validation, in precedence order, with every problem naming its source.
#include "config/config_overrides.hpp"

#include <gtest/gtest.h>

#include <set>

#include "config/config_loader.hpp"
#include "core/utf8_path.hpp"

namespace psguard {
namespace {

std::string absolute_text(const std::string& leaf) {
    return path_to_utf8(std::filesystem::temp_directory_path() / "psguard-overrides-test" / leaf);
}

HostDefaults defaults_without_agent() {
    HostDefaults defaults;
    defaults.host_name = "HOSTNAME1";
    defaults.state_dir = utf8_to_path(absolute_text("state"));
    return defaults;
}

nlohmann::json file_document() {
    return {{"paths",
             {{"package_delivery", absolute_text("pd")}, {"package_status", absolute_text("ps")}}},
            {"ns",
             {{"url", "https://file.example.com"},
              {"report_guid", "{A1B2C3D4-0000-4000-8000-000000000001}"}}},
            {"endpoint", {{"port", 9000}}},
            {"heal", {{"enabled", true}}}};
}

ConfigOverride installer(std::string key, std::string value) {
    return {std::move(key), std::move(value), "HKLM\\SOFTWARE\\psguard"};
}

ConfigOverride command_line(std::string_view text) {
    auto item = parse_set_option(text);
    EXPECT_TRUE(item) << item.error().message;
    return item ? *item : ConfigOverride{};
}

TEST(ConfigOverrides, WithoutOverridesTheFileDecides) {
    auto config =
        parse_config(file_document().dump(), "psguard.json", defaults_without_agent(), {});
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->ns.url, "https://file.example.com");
    EXPECT_EQ(config->endpoint.port, 9000);
    EXPECT_TRUE(config->heal.enabled);
}

TEST(ConfigOverrides, CommandLineBeatsInstallerBeatsFileBeatsDefaults) {
    const ConfigOverrides overrides{
        installer("ns.url", "https://installer.example.com"),
        installer("endpoint.port", "9700"),
        installer("heal.enabled", "off"),
        installer("credential_account", "CORP\\svc-ps"),
        command_line("endpoint.port=9800"),
    };
    auto config =
        parse_config(file_document().dump(), "psguard.json", defaults_without_agent(), overrides);
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->ns.url, "https://installer.example.com");  // installer over file
    EXPECT_EQ(config->endpoint.port, 9800);                      // command line over installer
    EXPECT_FALSE(config->heal.enabled);                          // "off" over the file's true
    EXPECT_EQ(config->credential_account, "CORP\\svc-ps");       // installer over default ""
    EXPECT_EQ(config->ns.report_guid, "{a1b2c3d4-0000-4000-8000-000000000001}");  // file
    EXPECT_EQ(config->endpoint.bind_address, "127.0.0.1");                        // default
}

TEST(ConfigOverrides, FillSectionsTheFileLeavesOut) {
    // The MSI's file has no ns section at all: the installer properties supply it.
    nlohmann::json document = file_document();
    document.erase("ns");
    document.erase("endpoint");
    const ConfigOverrides overrides{
        installer("ns.url", "https://ns01.example.com"),
        installer("ns.report_guid", "{A1B2C3D4-0000-4000-8000-0000000000FF}"),
        installer("endpoint.port", "9650")};
    auto config =
        parse_config(document.dump(), "psguard.json", defaults_without_agent(), overrides);
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->ns.url, "https://ns01.example.com");
    EXPECT_EQ(config->ns.report_guid, "{a1b2c3d4-0000-4000-8000-0000000000ff}");
    EXPECT_EQ(config->endpoint.port, 9650);
}

TEST(ConfigOverrides, AnEmptyValueLeavesTheFileAlone) {
    auto config = parse_config(file_document().dump(), "psguard.json", defaults_without_agent(),
                               {installer("ns.url", ""), installer("heal.enabled", "")});
    ASSERT_TRUE(config) << config.error().message;
    EXPECT_EQ(config->ns.url, "https://file.example.com");
    EXPECT_TRUE(config->heal.enabled);
}

TEST(ConfigOverrides, BooleanWords) {
    for (const auto& [word, expected] : std::vector<std::pair<std::string, bool>>{{"on", true},
                                                                                  {"ON", true},
                                                                                  {"true", true},
                                                                                  {"1", true},
                                                                                  {"yes", true},
                                                                                  {"off", false},
                                                                                  {"Off", false},
                                                                                  {"false", false},
                                                                                  {"0", false},
                                                                                  {"no", false}}) {
        nlohmann::json document = file_document();
        document["heal"]["enabled"] = !expected;
        ASSERT_TRUE(apply_config_overrides(document, {installer("heal.enabled", word)}));
        EXPECT_EQ(document["heal"]["enabled"], expected) << word;
    }
}

TEST(ConfigOverrides, BadValuesNameTheirSource) {
    nlohmann::json document = file_document();
    auto bad_bool = apply_config_overrides(document, {installer("heal.enabled", "maybe")});
    ASSERT_FALSE(bad_bool);
    EXPECT_EQ(bad_bool.error().message,
              "heal.enabled (HKLM\\SOFTWARE\\psguard): expected on or off, got \"maybe\"");
    auto bad_port = apply_config_overrides(document, {command_line("endpoint.port=96x1")});
    ASSERT_FALSE(bad_port);
    EXPECT_EQ(bad_port.error().message,
              "endpoint.port (--set): expected a decimal integer, got \"96x1\"");
    // A value of the right type but out of range is caught by the validation, which names the
    // override as well as the file.
    auto config = parse_config(file_document().dump(), "psguard.json", defaults_without_agent(),
                               {command_line("endpoint.port=70000")});
    ASSERT_FALSE(config);
    EXPECT_NE(config.error().message.find("psguard.json with endpoint.port (--set): endpoint.port"),
              std::string::npos)
        << config.error().message;
    auto bad_url = parse_config(file_document().dump(), "psguard.json", defaults_without_agent(),
                                {installer("ns.url", "ftp://ns")});
    ASSERT_FALSE(bad_url);
    EXPECT_NE(bad_url.error().message.find("ns.url (HKLM\\SOFTWARE\\psguard): ns.url"),
              std::string::npos)
        << bad_url.error().message;
}

TEST(ConfigOverrides, OnlyTheInstallerKeysMayBeSet) {
    auto unknown = parse_set_option("paths.state_dir=C:\\x");
    ASSERT_FALSE(unknown);
    EXPECT_NE(unknown.error().message.find("\"paths.state_dir\" cannot be set"), std::string::npos);
    EXPECT_FALSE(parse_set_option("ns.url"));  // no '='
    auto with_equals = parse_set_option("ns.url=https://ns.example.com/?a=b");
    ASSERT_TRUE(with_equals);
    EXPECT_EQ(with_equals->value, "https://ns.example.com/?a=b");  // split at the first '='
    nlohmann::json document = file_document();
    EXPECT_FALSE(apply_config_overrides(document, {installer("ns.URL", "https://x")}));
}

TEST(ConfigOverrides, ASectionThatIsNotAnObjectIsAnError) {
    nlohmann::json document = file_document();
    document["endpoint"] = 5;
    auto applied = apply_config_overrides(document, {installer("endpoint.port", "9700")});
    ASSERT_FALSE(applied);
    EXPECT_NE(
        applied.error().message.find("\"endpoint\" in the configuration file is not an object"),
        std::string::npos);
}

TEST(ConfigOverrides, EveryKeyHasAnMsiProperty) {
    std::set<std::string_view> properties;
    for (const auto& key : overridable_keys()) {
        EXPECT_FALSE(key.msi_property.empty()) << key.key;
        properties.insert(key.msi_property);
    }
    EXPECT_EQ(properties, (std::set<std::string_view>{"NS_URL", "REPORT_GUID", "CREDENTIAL_ACCOUNT",
                                                      "LISTEN_PORT", "HEAL"}));
}

}  // namespace
}  // namespace psguard
