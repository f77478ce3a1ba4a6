#include "heal/refresh_trigger.hpp"

#include <gtest/gtest.h>

#include "fake_agent_automation.hpp"
#include "temp_tree.hpp"

namespace psguard {
namespace {

// A command that exits 0 on this platform (Wine has cmd.exe too).
std::vector<std::string> succeeding_command() {
#ifdef _WIN32
    return {"C:\\windows\\system32\\cmd.exe", "/c", "exit 0"};
#else
    return {"/bin/true"};
#endif
}

class RefreshTriggerTest : public ::testing::Test {
  protected:
    RefreshOutcome run(const std::vector<RefreshTrigger>& order) {
        config.refresh = order;
        return trigger_refresh(config, agent, journal, {"a1", "a2"}, tree.root() / "refresh.out",
                               now);
    }
    std::vector<nlohmann::json> refresh_records() const {
        std::vector<nlohmann::json> records;
        for (const auto& record : journal.records()) {
            if (std::holds_alternative<RefreshEvent>(record.event)) {
                records.push_back(to_json(record));  // as the journal file holds it
            }
        }
        return records;
    }

    test::TempTree tree;
    Journal journal{tree.root() / "journal.jsonl"};
    test::FakeAgentAutomation agent;
    HealConfig config;
    TimePoint now = parse_utc("2026-11-26T06:30:00Z").value();
};

TEST_F(RefreshTriggerTest, TheAgentAloneWhenItAnswers) {
    config.refresh_command = succeeding_command();
    const RefreshOutcome outcome = run({RefreshTrigger::agent, RefreshTrigger::command});
    ASSERT_TRUE(outcome.ok());
    ASSERT_EQ(outcome.steps.size(), 1u);
    EXPECT_EQ(outcome.steps[0].trigger, RefreshTrigger::agent);
    EXPECT_EQ(agent.calls, std::vector<std::string>{"resend_package_status"});
    // Journaled on every healed action, with the HRESULT.
    const auto records = refresh_records();
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[0]["action"], "a1");
    EXPECT_EQ(records[1]["action"], "a2");
    EXPECT_EQ(records[0]["trigger"], "agent");
    EXPECT_EQ(records[0]["ok"], true);
    EXPECT_EQ(records[0]["hresult"], "0x00000000");
}

TEST_F(RefreshTriggerTest, AnUnregisteredAgentFallsBackToTheNextTriggerAndSaysWhy) {
    agent.resend_answer = test::not_registered();
    config.refresh_command = succeeding_command();
    const RefreshOutcome outcome = run({RefreshTrigger::agent, RefreshTrigger::command});
    ASSERT_TRUE(outcome.ok());
    ASSERT_EQ(outcome.steps.size(), 2u);
    EXPECT_FALSE(outcome.steps[0].ok);
    EXPECT_EQ(outcome.steps[0].hresult, static_cast<std::int32_t>(0x80040154));
    EXPECT_TRUE(outcome.steps[1].ok);
    EXPECT_EQ(outcome.summary(), "agent: " + test::not_registered().message +
                                     "; fell back to command: refresh command exited 0");
    const auto records = refresh_records();
    ASSERT_EQ(records.size(), 4u);
    EXPECT_EQ(records[0]["hresult"], "0x80040154");
    EXPECT_EQ(records[0]["failure"], "not_registered");
    EXPECT_EQ(records[2]["trigger"], "command");
    EXPECT_EQ(records[2]["exit_code"], 0);
}

TEST_F(RefreshTriggerTest, ACommandThatFailsIsNotSuccess) {
    config.refresh_command = {"psguard-no-such-program"};
    const RefreshOutcome outcome = run({RefreshTrigger::command});
    EXPECT_FALSE(outcome.ok());
    ASSERT_EQ(outcome.steps.size(), 1u);
    EXPECT_NE(outcome.summary().find("refresh command"), std::string::npos) << outcome.summary();
}

TEST_F(RefreshTriggerTest, NoneRunsNothing) {
    const RefreshOutcome outcome = run({});
    EXPECT_FALSE(outcome.ok());
    EXPECT_TRUE(agent.calls.empty());
    EXPECT_TRUE(refresh_records().empty());
    EXPECT_EQ(outcome.summary(),
              "no re-report trigger configured (heal.refresh): the agent re-reports at its next "
              "scheduled refresh");
}

TEST_F(RefreshTriggerTest, EveryTriggerFailingTriesEachOnceInOrder) {
    agent.resend_answer = {ComFailure::timed_out, 0, "ResendPackagesStatus: no answer"};
    config.refresh_command = {"psguard-no-such-program"};
    const RefreshOutcome outcome = run({RefreshTrigger::agent, RefreshTrigger::command});
    EXPECT_FALSE(outcome.ok());
    ASSERT_EQ(outcome.steps.size(), 2u);
    EXPECT_EQ(agent.calls.size(), 1u);
}

}  // namespace
}  // namespace psguard
