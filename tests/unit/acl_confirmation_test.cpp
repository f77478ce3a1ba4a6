#include "heal/acl_confirmation.hpp"

#include <gtest/gtest.h>

namespace psguard {
namespace {

AclResult failing(const std::string& path, const std::string& missing) {
    AclResult result;
    result.path = path;
    result.missing = {missing};
    return result;
}

AclReport report_of(std::vector<AclResult> results) {
    AclReport report;
    report.configured = true;
    report.account_resolved = true;
    report.account = "CORP\\svc";
    report.results = std::move(results);
    return report;
}

AclConfig agent_managed(bool managed) {
    AclConfig config;
    config.agent_manages_dacls = managed;
    return config;
}

TEST(AclConfirmation, WhereTheAgentManagesDaclsAFindingCountsOnlyOnceConfirmed) {
    HealHistory history;
    const AclReport seen = report_of({failing("D:\\PD\\{a}", "delete child")});
    EXPECT_TRUE(confirmed_acl(seen, agent_managed(true), 2, history).ok());
    EXPECT_FALSE(confirmed_acl(seen, agent_managed(true), 2, history).ok());
    EXPECT_EQ(history.acl_streaks.size(), 1u);
}

TEST(AclConfirmation, AFindingThatGoesAwayStartsAgain) {
    HealHistory history;
    const AclReport seen = report_of({failing("D:\\PD\\{a}", "delete child")});
    const AclReport clean = report_of({});
    EXPECT_TRUE(confirmed_acl(seen, agent_managed(true), 2, history).ok());
    EXPECT_TRUE(confirmed_acl(clean, agent_managed(true), 2, history).ok());
    EXPECT_TRUE(history.acl_streaks.empty());
    EXPECT_TRUE(confirmed_acl(seen, agent_managed(true), 2, history).ok());
    // Another right missing on the same folder is another finding.
    const AclReport other = report_of({failing("D:\\PD\\{a}", "write data")});
    EXPECT_TRUE(confirmed_acl(other, agent_managed(true), 2, history).ok());
}

TEST(AclConfirmation, ElsewhereEveryFindingCountsAtOnce) {
    HealHistory history;
    const AclReport seen = report_of({failing("/srv/pd", "write data")});
    EXPECT_FALSE(confirmed_acl(seen, agent_managed(false), 2, history).ok());
    EXPECT_TRUE(history.acl_streaks.empty());
}

TEST(AclConfirmation, AnAccountThatDoesNotResolveCountsAtOnce) {
    HealHistory history;
    AclReport unresolved = report_of({});
    unresolved.account_resolved = false;
    EXPECT_FALSE(confirmed_acl(unresolved, agent_managed(true), 2, history).ok());
}

}  // namespace
}  // namespace psguard
