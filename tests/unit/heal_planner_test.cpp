// Each guard of the heal planner, on its own, with exact limits.
#include "heal/heal_planner.hpp"

#include <gtest/gtest.h>

namespace psguard {
namespace {

using namespace std::chrono_literals;

const TimePoint kNow = *parse_utc("2026-11-26T12:00:00Z");

std::string id_of(int n) {
    char text[64];
    std::snprintf(text, sizeof(text), "{00000000-0000-4000-8000-%012d}", n);
    return text;
}

PackageVerdict verdict(int n, Verdict v) {
    PackageVerdict result;
    result.id = id_of(n);
    result.verdict = v;
    return result;
}

// `stale` stale packages (already confirmed) among `total`.
struct Scene {
    std::vector<PackageVerdict> verdicts;
    HealHistory history;
    HealConfig config;
};

Scene scene(int total, int stale, int streak = 2) {
    Scene s;
    for (int i = 0; i < total; ++i) {
        const bool is_stale = i < stale;
        s.verdicts.push_back(verdict(i, is_stale ? Verdict::stale_on_ns : Verdict::healthy));
        if (is_stale) {
            s.history.packages[id_of(i)].stale_streak = streak;
        }
    }
    return s;
}

int planned(const HealPlan& plan) { return static_cast<int>(plan.to_heal.size()); }

TEST(HealPlanner, PlansConfirmedStalePackages) {
    auto s = scene(10, 2);
    const auto plan = plan_heal(s.verdicts, s.history, s.config, {}, kNow);
    EXPECT_EQ(planned(plan), 2);
    EXPECT_FALSE(plan.breaker);
    EXPECT_EQ(plan.decisions.at(id_of(0)).state, HealState::planned);
    EXPECT_EQ(plan.decisions.count(id_of(5)), 0u) << "healthy packages have no decision";
}

TEST(HealPlanner, NeedsConfirmCycles) {
    auto s = scene(10, 1, 1);
    auto plan = plan_heal(s.verdicts, s.history, s.config, {}, kNow);
    EXPECT_EQ(planned(plan), 0);
    EXPECT_EQ(plan.decisions.at(id_of(0)).state, HealState::blocked);
    EXPECT_NE(plan.decisions.at(id_of(0)).reason.find("1 of 2"), std::string::npos);
    s.config.confirm_cycles = 1;
    EXPECT_EQ(planned(plan_heal(s.verdicts, s.history, s.config, {}, kNow)), 1);
}

TEST(HealPlanner, AclProblemBlocksWithTheCause) {
    auto s = scene(10, 2);
    HealGates gates;
    gates.acl_problem = "credential account CORP\\svc lacks delete child on D:\\Package Delivery";
    const auto plan = plan_heal(s.verdicts, s.history, s.config, gates, kNow);
    EXPECT_EQ(planned(plan), 0);
    EXPECT_NE(plan.decisions.at(id_of(0)).reason.find("lacks delete child"), std::string::npos);
    EXPECT_NE(plan.decisions.at(id_of(0)).reason.find("heal cannot help until fixed"),
              std::string::npos);
}

TEST(HealPlanner, NsAndDiagnosisProblemsBlock) {
    auto s = scene(10, 2);
    HealGates ns_gate;
    ns_gate.ns_problem = "timed out";
    EXPECT_EQ(planned(plan_heal(s.verdicts, s.history, s.config, ns_gate, kNow)), 0);
    HealGates diagnosis_gate;
    diagnosis_gate.diagnosis_problem = "the evidence points at credential_not_applied";
    EXPECT_EQ(planned(plan_heal(s.verdicts, s.history, s.config, diagnosis_gate, kNow)), 0);
}

TEST(HealPlanner, PerCycleBudgetIsExact) {
    auto s = scene(100, 7);
    const auto plan = plan_heal(s.verdicts, s.history, s.config, {}, kNow);
    EXPECT_EQ(planned(plan), 5);
    EXPECT_EQ(plan.decisions.at(id_of(5)).state, HealState::blocked);
    EXPECT_NE(plan.decisions.at(id_of(5)).reason.find("per-cycle budget"), std::string::npos);
}

TEST(HealPlanner, DailyBudgetIsExactAndRolling) {
    auto s = scene(100, 5);
    s.config.max_per_day = 50;
    for (int i = 0; i < 48; ++i) {
        s.history.heals.push_back(kNow - 23h);
    }
    s.history.heals.push_back(kNow - 25h);  // outside the 24-hour window
    auto plan = plan_heal(s.verdicts, s.history, s.config, {}, kNow);
    EXPECT_EQ(plan.budget_left_today, 2);
    EXPECT_EQ(planned(plan), 2);
    EXPECT_NE(plan.decisions.at(id_of(2)).reason.find("daily budget"), std::string::npos);
    s.history.heals.push_back(kNow - 1h);
    s.history.heals.push_back(kNow - 1h);
    EXPECT_EQ(planned(plan_heal(s.verdicts, s.history, s.config, {}, kNow)), 0);
}

TEST(HealPlanner, MassEventBreakerByShare) {
    // 50 %: exactly half is allowed, one more trips the breaker.
    auto s = scene(10, 5);
    s.config.max_per_cycle = 100;
    EXPECT_FALSE(plan_heal(s.verdicts, s.history, s.config, {}, kNow).breaker);
    s = scene(10, 6);
    s.config.max_per_cycle = 100;
    const auto plan = plan_heal(s.verdicts, s.history, s.config, {}, kNow);
    ASSERT_TRUE(plan.breaker);
    EXPECT_NE(plan.breaker->find("6 of 10"), std::string::npos) << *plan.breaker;
    EXPECT_EQ(planned(plan), 0);
    EXPECT_NE(plan.decisions.at(id_of(0)).reason.find("mass-event breaker"), std::string::npos);
}

TEST(HealPlanner, MassEventBreakerByCount) {
    auto s = scene(1000, 25);
    s.config.max_per_cycle = 100;
    EXPECT_FALSE(plan_heal(s.verdicts, s.history, s.config, {}, kNow).breaker);
    s = scene(1000, 26);
    s.config.max_per_cycle = 100;
    EXPECT_TRUE(plan_heal(s.verdicts, s.history, s.config, {}, kNow).breaker);
}

TEST(HealPlanner, HealFailedStopsUntilReset) {
    auto s = scene(10, 1);
    s.history.packages[id_of(0)].heal_failed = true;
    s.history.packages[id_of(0)].attempts = 3;
    const auto plan = plan_heal(s.verdicts, s.history, s.config, {}, kNow);
    EXPECT_EQ(planned(plan), 0);
    EXPECT_EQ(plan.decisions.at(id_of(0)).state, HealState::failed);
    EXPECT_NE(plan.decisions.at(id_of(0)).reason.find("psguard reset"), std::string::npos);
}

TEST(HealPlanner, AwaitingVerificationIsNotHealedAgain) {
    auto s = scene(10, 1);
    s.history.packages[id_of(0)].awaiting_action = "A1";
    const auto plan = plan_heal(s.verdicts, s.history, s.config, {}, kNow);
    EXPECT_EQ(planned(plan), 0);
    EXPECT_EQ(plan.decisions.at(id_of(0)).state, HealState::awaiting);
    EXPECT_EQ(plan.decisions.at(id_of(0)).action_id, "A1");
}

TEST(HealPlanner, StreaksCountConsecutiveStaleCycles) {
    HealHistory history;
    std::vector<PackageVerdict> stale = {verdict(1, Verdict::stale_on_ns)};
    std::vector<PackageVerdict> healthy = {verdict(1, Verdict::healthy)};
    observe_streaks(history, stale);
    observe_streaks(history, stale);
    EXPECT_EQ(history.packages[id_of(1)].stale_streak, 2);
    observe_streaks(history, healthy);
    EXPECT_EQ(history.packages[id_of(1)].stale_streak, 0);
}

TEST(HealPlanner, PendingCountsOnlyPastGrace) {
    HealHistory history;
    HealConfig config;  // 60 minutes
    std::vector<PackageVerdict> pending = {verdict(1, Verdict::pending_on_ns)};
    observe_pending(history, pending, kNow);
    EXPECT_TRUE(pending_past_grace(history, config, kNow + 59min).empty());
    observe_pending(history, pending, kNow + 30min);  // the first sighting is kept
    EXPECT_EQ(pending_past_grace(history, config, kNow + 60min).count(id_of(1)), 1u);
    observe_pending(history, {verdict(1, Verdict::healthy)}, kNow + 61min);
    EXPECT_TRUE(pending_past_grace(history, config, kNow + 120min).empty());
}

TEST(HealHistory, RoundTripsThroughJson) {
    HealHistory history;
    auto& entry = history.packages[id_of(3)];
    entry.stale_streak = 2;
    entry.pending_since = kNow;
    entry.attempts = 1;
    entry.awaiting_action = "A7";
    history.heals = {kNow - 1h};
    auto back = history_from_json(to_json(history));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->packages[id_of(3)].stale_streak, 2);
    EXPECT_EQ(back->packages[id_of(3)].pending_since, kNow);
    EXPECT_EQ(back->packages[id_of(3)].awaiting_action, "A7");
    EXPECT_EQ(back->heals_in_last_day(kNow), 1);
}

TEST(UtcTime, FormatsAndParses) {
    EXPECT_EQ(format_utc(kNow), "2026-11-26T12:00:00Z");
    EXPECT_EQ(parse_utc("2026-11-26"), *parse_utc("2026-11-26T00:00:00Z"));
    EXPECT_FALSE(parse_utc("2026-13-01T00:00:00Z"));
    EXPECT_FALSE(parse_utc("yesterday"));
    EXPECT_FALSE(parse_utc("2026-11-26T12:00:00"));
}

}  // namespace
}  // namespace psguard
