// The portable half of the agent's registry discovery: which value wins, and what a log path
// value names. The values are given, as read_agent_registry would return them.
#include "platform/agent_registry.hpp"

#include <gtest/gtest.h>

#include "core/utf8_path.hpp"

namespace psguard {
namespace {

namespace fs = std::filesystem;

TEST(AgentRegistry, InstallDirPrefersThe64BitView) {
    AgentRegistry registry;
    EXPECT_FALSE(agent_install_dir_from(registry));
    registry.install_dir_32 = fs::path("C:/Program Files (x86)/Altiris/Altiris Agent");
    EXPECT_EQ(agent_install_dir_from(registry), registry.install_dir_32);
    registry.install_dir_64 = fs::path("C:/Program Files/Altiris/Altiris Agent");
    EXPECT_EQ(agent_install_dir_from(registry), registry.install_dir_64);
}

TEST(AgentRegistry, LogPathNamesAFolderOrAFile) {
    AgentRegistry registry;
    EXPECT_FALSE(agent_log_dir_from(registry));
    // KB 176864's value: the folder, with a trailing separator.
    registry.log_path_32 =
        utf8_to_path("C:\\Users\\Public\\Documents\\Altiris\\Altiris Agent\\Logs\\");
    EXPECT_EQ(path_to_utf8(*agent_log_dir_from(registry)),
              "C:\\Users\\Public\\Documents\\Altiris\\Altiris Agent\\Logs");
    // The 64-bit view wins; a value naming the log file gives its folder.
    registry.log_path_64 = utf8_to_path("D:\\AgentLogs\\Agent.LOG");
    EXPECT_EQ(path_to_utf8(*agent_log_dir_from(registry)), "D:\\AgentLogs");
    registry.log_path_64 = utf8_to_path("D:\\");
    EXPECT_EQ(path_to_utf8(*agent_log_dir_from(registry)), "D:\\");
    registry.log_path_64 = utf8_to_path("/var/log/agent/");
    EXPECT_EQ(path_to_utf8(*agent_log_dir_from(registry)), "/var/log/agent");
}

TEST(AgentRegistry, DescribeNamesEveryValueLookedFor) {
    AgentRegistry registry;
    registry.key = std::string(kAgentRegistryKey);
    registry.install_dir_32 = utf8_to_path("C:\\Agent");
    const auto rows = describe(registry);
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[0].first, "HKLM\\SOFTWARE\\Altiris\\Altiris Agent\\InstallDir (64-bit view)");
    EXPECT_EQ(rows[0].second, "(absent)");
    EXPECT_EQ(rows[1].second, "C:\\Agent");
    EXPECT_EQ(rows[2].first,
              "HKLM\\SOFTWARE\\Altiris\\Altiris Agent\\Event Logging\\LogFile\\FilePath (64-bit "
              "view)");
}

#ifndef _WIN32
TEST(AgentRegistry, PosixHasNoRegistry) {
    const AgentRegistry registry = read_agent_registry();
    EXPECT_FALSE(registry.install_dir_64 || registry.install_dir_32 || registry.log_path_64 ||
                 registry.log_path_32);
}
#endif

}  // namespace
}  // namespace psguard
