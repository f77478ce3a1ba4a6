// Windows: the installer's properties as the MSI leaves them, registry values under HKLM, read
// back by read_installer_overrides. Real registry (Wine's in CI), a key of the test's own so the
// real HKLM\SOFTWARE\psguard of the prefix is never touched.
#include <windows.h>

#include <gtest/gtest.h>

#include <map>

#include "config/config_overrides.hpp"
#include "platform/win_text.hpp"

namespace psguard {
namespace {

class InstallerRegistry : public ::testing::Test {
  protected:
    void SetUp() override {
        key_ = "SOFTWARE\\psguard-test-" + std::to_string(GetCurrentProcessId());
        ASSERT_EQ(RegCreateKeyExW(HKEY_LOCAL_MACHINE, to_wide(key_).c_str(), 0, nullptr, 0,
                                  KEY_SET_VALUE | KEY_WOW64_64KEY, nullptr, &handle_, nullptr),
                  ERROR_SUCCESS);
    }
    void TearDown() override {
        if (handle_ != nullptr) {
            RegCloseKey(handle_);
        }
        RegDeleteKeyExW(HKEY_LOCAL_MACHINE, to_wide(key_).c_str(), KEY_WOW64_64KEY, 0);
    }
    void set_string(const wchar_t* name, const std::wstring& value) {
        ASSERT_EQ(
            RegSetValueExW(handle_, name, 0, REG_SZ, reinterpret_cast<const BYTE*>(value.c_str()),
                           static_cast<DWORD>((value.size() + 1) * sizeof(wchar_t))),
            ERROR_SUCCESS);
    }
    void set_dword(const wchar_t* name, DWORD value) {
        ASSERT_EQ(RegSetValueExW(handle_, name, 0, REG_DWORD, reinterpret_cast<const BYTE*>(&value),
                                 sizeof(value)),
                  ERROR_SUCCESS);
    }

    std::string key_;
    HKEY handle_ = nullptr;
};

TEST_F(InstallerRegistry, AbsentKeyMeansNoOverrides) {
    auto overrides = read_installer_overrides("SOFTWARE\\psguard-test-absent-key");
    ASSERT_TRUE(overrides) << overrides.error().message;
    EXPECT_TRUE(overrides->empty());
}

TEST_F(InstallerRegistry, ReadsTheMsiValues) {
    set_string(L"ns.url", L"https://ns01.example.com");
    set_string(L"ns.report_guid", L"{A1B2C3D4-0000-4000-8000-000000000001}");
    set_string(L"credential_account", L"CORP\\svc-pkg\u00e9");  // non-ASCII survives as UTF-8
    set_string(L"endpoint.port", L"9650");
    set_dword(L"heal.enabled", 0);
    auto overrides = read_installer_overrides(key_);
    ASSERT_TRUE(overrides) << overrides.error().message;
    std::map<std::string, std::string> values;
    for (const auto& item : *overrides) {
        EXPECT_EQ(item.origin, "HKLM\\" + key_);
        values[item.key] = item.value;
    }
    EXPECT_EQ(values, (std::map<std::string, std::string>{
                          {"ns.url", "https://ns01.example.com"},
                          {"ns.report_guid", "{A1B2C3D4-0000-4000-8000-000000000001}"},
                          {"credential_account", "CORP\\svc-pkg\xC3\xA9"},
                          {"endpoint.port", "9650"},
                          {"heal.enabled", "0"}}));
    nlohmann::json document = nlohmann::json::object();
    ASSERT_TRUE(apply_config_overrides(document, *overrides));
    EXPECT_EQ(document["endpoint"]["port"], 9650);
    EXPECT_EQ(document["heal"]["enabled"], false);
}

TEST_F(InstallerRegistry, AMisspeltValueNameIsAnError) {
    set_string(L"ns.uri", L"https://ns01.example.com");
    auto overrides = read_installer_overrides(key_);
    ASSERT_FALSE(overrides);
    EXPECT_NE(overrides.error().message.find("\"ns.uri\" cannot be set"), std::string::npos)
        << overrides.error().message;
    EXPECT_EQ(overrides.error().message.rfind("HKLM\\" + key_, 0), 0u);
}

}  // namespace
}  // namespace psguard
