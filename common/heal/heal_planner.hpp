// Decides which stale packages may be healed this cycle. A pure function of this cycle's
// verdicts, the remembered history, the configuration and the cycle-wide gates, so that every
// guard can be tested on its own. Nothing here touches a file.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/utc_time.hpp"
#include "heal/heal_config.hpp"
#include "heal/heal_history.hpp"
#include "reconcile/verdict.hpp"

namespace psguard {

// Cycle-wide conditions, each set when it forbids healing, with the reason shown to operators.
struct HealGates {
    std::optional<std::string> ns_problem;         // the NS answer was not complete and well-formed
    std::optional<std::string> acl_problem;        // the credential account lacks rights
    std::optional<std::string> diagnosis_problem;  // the evidence points at a cause heal cannot fix
};

enum class HealState {
    none,      // not stale: nothing to heal
    planned,   // every guard holds: the files will be moved this cycle
    done,      // moved this cycle (set by the healer)
    blocked,   // stale, but a guard forbids acting now (the reason says which)
    awaiting,  // healed earlier; waiting for the NS to turn Ready
    failed,    // heal_failed: max_attempts reached, or this cycle's action failed
};

const char* to_string(HealState state);

struct HealDecision {
    HealState state = HealState::none;
    std::string reason;
    std::string action_id;
};

struct HealPlan {
    std::optional<std::string> breaker;             // the mass-event breaker tripped: why
    std::map<std::string, HealDecision> decisions;  // every package with a heal state
    std::vector<std::string> to_heal;               // planned package ids, in order
    int budget_left_today = 0;
};

// Remembers, per package, since when it has been Ready here but Pending (or another
// non-Ready, non-Invalid status) on the NS. Call with the verdicts of reconcile() before grace.
void observe_pending(HealHistory& history, const std::vector<PackageVerdict>& verdicts,
                     TimePoint now);

// The packages whose pending status has lasted past the grace period.
std::set<std::string> pending_past_grace(const HealHistory& history, const HealConfig& config,
                                         TimePoint now);

// Counts consecutive stale cycles. Call once per cycle whose NS answer was usable, with the
// final verdicts.
void observe_streaks(HealHistory& history, const std::vector<PackageVerdict>& verdicts);

HealPlan plan_heal(const std::vector<PackageVerdict>& verdicts, const HealHistory& history,
                   const HealConfig& config, const HealGates& gates, TimePoint now);

}  // namespace psguard
