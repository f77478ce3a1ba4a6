#include "heal/policy_refresh.hpp"

#include <gtest/gtest.h>

#include "fake_agent_automation.hpp"
#include "temp_tree.hpp"

namespace psguard {
namespace {

class PolicyRefreshTest : public ::testing::Test {
  protected:
    PolicyRefreshTest() {
        config.policy_refresh = true;
        config.confirm_cycles = 2;
        config.verify_cycles = 3;
    }
    std::optional<PolicyRefreshReport> cycle(bool credential_not_applied, TimePoint when,
                                             bool acl_repair_pending = false,
                                             bool dry_run = false) {
        return run_policy_refresh(config,
                                  {credential_not_applied, "the agent failed to authenticate",
                                   acl_repair_pending, dry_run},
                                  history, journal, agent, when);
    }
    std::vector<std::string> events_of(const std::string& action) const {
        std::vector<std::string> events;
        for (const auto& record : journal.records()) {
            if (record.action == action) {
                events.push_back(event_name(record.event));
            }
        }
        return events;
    }

    test::TempTree tree;
    Journal journal{tree.root() / "journal.jsonl"};
    test::FakeAgentAutomation agent;
    HealConfig config;
    HealHistory history;
    TimePoint t0 = parse_utc("2026-11-26T06:00:00Z").value();
};

TEST_F(PolicyRefreshTest, AsksOnceTheDiagnosisIsConfirmedThenNotAgainWithinTheInterval) {
    EXPECT_FALSE(cycle(true, t0));  // 1 of 2 cycles
    EXPECT_TRUE(agent.calls.empty());
    const auto asked = cycle(true, t0 + std::chrono::minutes(15));
    ASSERT_TRUE(asked);
    EXPECT_EQ(asked->result, "requested");
    EXPECT_EQ(asked->hresult, 0);
    EXPECT_EQ(agent.calls, std::vector<std::string>{"refresh_policies"});
    EXPECT_EQ(events_of(asked->action_id), (std::vector<std::string>{"intent", "agent_requested"}));
    EXPECT_EQ(journal.action(asked->action_id)->kind, ActionKind::policy_refresh);

    const auto again = cycle(true, t0 + std::chrono::minutes(30));
    ASSERT_TRUE(again);
    EXPECT_EQ(again->result, "waiting");
    EXPECT_EQ(agent.calls.size(), 1u);
    // Past the interval (4 h), and still unverified: asked again.
    const auto later = cycle(true, t0 + std::chrono::hours(5));
    ASSERT_TRUE(later);
    EXPECT_EQ(later->result, "requested");
    EXPECT_EQ(agent.calls.size(), 2u);
}

TEST_F(PolicyRefreshTest, ALaterCycleVerifiesTheRequest) {
    cycle(true, t0);
    const auto asked = cycle(true, t0 + std::chrono::minutes(15));
    ASSERT_TRUE(asked);
    const auto verified = cycle(false, t0 + std::chrono::minutes(30));
    ASSERT_TRUE(verified);
    EXPECT_EQ(verified->result, "verified");
    EXPECT_EQ(journal.action(asked->action_id)->result, ActionResult::verified);
    EXPECT_EQ(history.credential_streak, 0);
}

TEST_F(PolicyRefreshTest, ARequestThatChangesNothingFailsVerification) {
    cycle(true, t0);
    const auto asked = cycle(true, t0 + std::chrono::minutes(15));
    ASSERT_TRUE(asked);
    cycle(true, t0 + std::chrono::minutes(30));
    cycle(true, t0 + std::chrono::minutes(45));
    const auto failed = cycle(true, t0 + std::chrono::minutes(60));
    ASSERT_TRUE(failed);
    EXPECT_EQ(failed->result, "verify_failed");
    EXPECT_EQ(journal.action(asked->action_id)->result, ActionResult::verify_failed);
}

TEST_F(PolicyRefreshTest, AFailedCallIsJournaledWithItsHresultAndNotRetriedEveryCycle) {
    agent.policies_answer = test::not_registered();
    cycle(true, t0);
    const auto asked = cycle(true, t0 + std::chrono::minutes(15));
    ASSERT_TRUE(asked);
    EXPECT_EQ(asked->result, "failed");
    EXPECT_EQ(asked->hresult, static_cast<std::int32_t>(0x80040154));
    EXPECT_EQ(journal.action(asked->action_id)->result, ActionResult::failed);
    EXPECT_EQ(cycle(true, t0 + std::chrono::minutes(30))->result, "waiting");
    EXPECT_EQ(agent.calls.size(), 1u);
}

TEST_F(PolicyRefreshTest, OffAsksNothingButCountsTheStreak) {
    config.policy_refresh = false;
    EXPECT_FALSE(cycle(true, t0));
    EXPECT_FALSE(cycle(true, t0 + std::chrono::minutes(15)));
    EXPECT_TRUE(agent.calls.empty());
    EXPECT_EQ(history.credential_streak, 2);
    EXPECT_FALSE(acl_repair_waits_for_policies(config, history, t0));
}

TEST_F(PolicyRefreshTest, ADryRunPlansOnly) {
    cycle(true, t0, false, true);
    const auto planned = cycle(true, t0 + std::chrono::minutes(15), false, true);
    ASSERT_TRUE(planned);
    EXPECT_EQ(planned->result, "planned");
    EXPECT_TRUE(agent.calls.empty());
    EXPECT_TRUE(journal.records().empty());
}

TEST_F(PolicyRefreshTest, APendingAclRepairWaitsForThePoliciesFirst) {
    EXPECT_TRUE(acl_repair_waits_for_policies(config, history, t0));
    const auto asked = cycle(false, t0, /*acl_repair_pending=*/true);
    ASSERT_TRUE(asked);
    EXPECT_EQ(asked->result, "requested");
    // The same cycle still waits; a later one may repair.
    EXPECT_TRUE(acl_repair_waits_for_policies(config, history, t0));
    EXPECT_FALSE(acl_repair_waits_for_policies(config, history, t0 + std::chrono::minutes(15)));
}

// psguard stopped between the request's intent and its outcome: the next start closes the action
// (it would otherwise stay in progress for ever) and keeps the interval from the request's time.
TEST_F(PolicyRefreshTest, ARequestInterruptedBeforeItsOutcomeIsClosedAtTheNextStart) {
    IntentEvent intent;
    intent.kind = ActionKind::policy_refresh;
    intent.reason = "credential_not_applied";
    const std::string id = journal.next_action_id("policy", t0);
    ASSERT_TRUE(journal.append(id, std::move(intent), t0));
    ASSERT_EQ(journal.action(id)->result, ActionResult::in_progress);

    Journal reopened{journal.file()};
    ASSERT_TRUE(reopened.load());
    const auto recovered = recover_policy_refresh(history, reopened, t0 + std::chrono::minutes(1));
    ASSERT_EQ(recovered.size(), 1u);
    EXPECT_EQ(recovered[0].action_id, id);
    EXPECT_NE(recovered[0].detail.find("interrupted"), std::string::npos);
    EXPECT_EQ(reopened.action(id)->result, ActionResult::failed);
    EXPECT_EQ(history.policy_refreshed, t0);
    EXPECT_TRUE(recover_policy_refresh(history, reopened, t0 + std::chrono::minutes(2)).empty())
        << "closed once";

    // Within the interval from the interrupted request the agent is not asked again.
    cycle(true, t0 + std::chrono::minutes(15));
    const auto next = cycle(true, t0 + std::chrono::minutes(30));
    ASSERT_TRUE(next);
    EXPECT_EQ(next->result, "waiting");
    EXPECT_TRUE(agent.calls.empty());
}

}  // namespace
}  // namespace psguard
