// Windows: the agent's registry values in both views, written with RegSetValueExW into a key of
// the test's own (Wine's registry in CI, which keeps Wow6432Node apart like Windows does), read
// back by read_agent_registry. The real HKLM\SOFTWARE\Altiris of the prefix is never touched.
#include <windows.h>

#include <gtest/gtest.h>

#include <string>

#include "core/utf8_path.hpp"
#include "platform/agent_registry.hpp"
#include "platform/win_text.hpp"

namespace psguard {
namespace {

class AgentRegistryValues : public ::testing::Test {
  protected:
    void SetUp() override {
        leaf_ = L"psguard-agent-test-" + std::to_wstring(GetCurrentProcessId());
        key_ = L"SOFTWARE\\" + leaf_ + L"\\Altiris Agent";
    }
    void TearDown() override {
        // HKLM\SOFTWARE opened in each view: the 32-bit one is Wow6432Node.
        for (const REGSAM view : {KEY_WOW64_64KEY, KEY_WOW64_32KEY}) {
            HKEY software = nullptr;
            if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, L"SOFTWARE", 0, KEY_ALL_ACCESS | view,
                              &software) == ERROR_SUCCESS) {
                RegDeleteTreeW(software, leaf_.c_str());
                RegCloseKey(software);
            }
        }
    }
    // Writes one string value under HKLM\<key> in one view.
    static void set(const std::wstring& key, const wchar_t* name, const std::wstring& value,
                    REGSAM view, DWORD type = REG_SZ) {
        HKEY handle = nullptr;
        ASSERT_EQ(RegCreateKeyExW(HKEY_LOCAL_MACHINE, key.c_str(), 0, nullptr, 0,
                                  KEY_SET_VALUE | view, nullptr, &handle, nullptr),
                  ERROR_SUCCESS);
        EXPECT_EQ(
            RegSetValueExW(handle, name, 0, type, reinterpret_cast<const BYTE*>(value.c_str()),
                           static_cast<DWORD>((value.size() + 1) * sizeof(wchar_t))),
            ERROR_SUCCESS);
        RegCloseKey(handle);
    }
    std::string key_utf8() const { return to_utf8(key_); }

    std::wstring leaf_;
    std::wstring key_;
};

TEST_F(AgentRegistryValues, AbsentKeyFindsNothing) {
    const AgentRegistry registry = read_agent_registry(key_utf8());
    EXPECT_FALSE(registry.install_dir_64 || registry.install_dir_32 || registry.log_path_64 ||
                 registry.log_path_32);
    EXPECT_FALSE(agent_install_dir_from(registry));
}

TEST_F(AgentRegistryValues, A32BitAgentIsFoundInWow6432Node) {
    set(key_, L"InstallDir", L"C:\\Program Files (x86)\\Altiris\\Altiris Agent", KEY_WOW64_32KEY);
    const AgentRegistry registry = read_agent_registry(key_utf8());
    EXPECT_FALSE(registry.install_dir_64) << "the 64-bit view must not see the 32-bit value";
    ASSERT_TRUE(registry.install_dir_32);
    EXPECT_EQ(path_to_utf8(*agent_install_dir_from(registry)),
              "C:\\Program Files (x86)\\Altiris\\Altiris Agent");
}

TEST_F(AgentRegistryValues, The64BitViewWins) {
    set(key_, L"InstallDir", L"C:\\Agent32", KEY_WOW64_32KEY);
    set(key_, L"InstallDir", L"C:\\Agent64", KEY_WOW64_64KEY);
    const AgentRegistry registry = read_agent_registry(key_utf8());
    EXPECT_EQ(path_to_utf8(*agent_install_dir_from(registry)), "C:\\Agent64");
}

TEST_F(AgentRegistryValues, LogFilePathIsReadAndExpanded) {
    // REG_EXPAND_SZ, as an administrator may write it.
    set(key_ + L"\\Event Logging\\LogFile", L"FilePath", L"%SystemDrive%\\AgentLogs\\",
        KEY_WOW64_64KEY, REG_EXPAND_SZ);
    const AgentRegistry registry = read_agent_registry(key_utf8());
    ASSERT_TRUE(registry.log_path_64);
    const std::string folder = path_to_utf8(*agent_log_dir_from(registry));
    EXPECT_EQ(folder.find('%'), std::string::npos) << folder;
    EXPECT_TRUE(folder.ends_with(":\\AgentLogs")) << folder;
}

}  // namespace
}  // namespace psguard
