// What psguard remembers between cycles (and restarts) to apply its guards: how long each
// package has been stale or pending, its heal attempts, the heals of the last 24 hours.
// Kept in state_dir/history.json, replaced atomically.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "core/utc_time.hpp"

namespace psguard {

struct PackageHistory {
    int stale_streak = 0;                    // consecutive cycles with verdict stale_on_ns
    std::optional<TimePoint> pending_since;  // Ready here, non-Ready non-Invalid on the NS
    int attempts = 0;                        // heals not (yet) followed by a verified Ready
    bool heal_failed = false;                // max_attempts reached: no more until reset
    std::string awaiting_action;             // the action waiting for the NS to turn Ready
    int cycles_since_heal = 0;
};

struct HealHistory {
    std::map<std::string, PackageHistory> packages;
    // The last cycle in which the credential account's ACL check failed: once it passes,
    // access-denied evidence from up to that moment describes a cause that has been fixed.
    std::optional<TimePoint> acl_last_failed;
    std::vector<TimePoint> heals;  // one entry per healed package, pruned to 24 hours

    // Procedure 1 (heal.policy_refresh): consecutive cycles whose diagnosis was
    // credential_not_applied, the last time the agent was asked to apply its policies again,
    // and that request's journal action while later cycles verify it.
    int credential_streak = 0;
    std::optional<TimePoint> policy_refreshed;
    std::string policy_action;
    int cycles_since_policy_refresh = 0;
    // Consecutive cycles in which each ACL finding ("path|what is missing") was seen: on
    // Windows a finding blocks or repairs only once seen on heal.confirm_cycles cycles.
    std::map<std::string, int> acl_streaks;
    // The fleet status NSE (smp_report): when it was last tried, with which summary.
    std::optional<TimePoint> smp_last_attempt;
    std::string smp_last_fingerprint;
    std::optional<TimePoint> smp_last_success;

    int heals_in_last_day(TimePoint now) const;
    void prune(TimePoint now);
};

Result<HealHistory> load_history(const std::filesystem::path& file);
Status save_history(const std::filesystem::path& file, const HealHistory& history);

nlohmann::json to_json(const HealHistory& history);
Result<HealHistory> history_from_json(const nlohmann::json& document);

}  // namespace psguard
