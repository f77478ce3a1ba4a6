#include "heal/heal_planner.hpp"

namespace psguard {
namespace {

HealDecision blocked(std::string reason) {
    return {HealState::blocked, std::move(reason), {}};
}

}  // namespace

const char* to_string(HealState state) {
    switch (state) {
        case HealState::none:
            return "none";
        case HealState::planned:
            return "planned";
        case HealState::done:
            return "done";
        case HealState::blocked:
            return "blocked";
        case HealState::awaiting:
            return "awaiting";
        case HealState::failed:
            return "failed";
    }
    return "unknown";
}

void observe_pending(HealHistory& history, const std::vector<PackageVerdict>& verdicts,
                     TimePoint now) {
    for (const auto& verdict : verdicts) {
        const bool pending = verdict.verdict == Verdict::pending_on_ns;
        auto it = history.packages.find(verdict.id);
        if (pending) {
            auto& entry = history.packages[verdict.id];
            if (!entry.pending_since) {
                entry.pending_since = now;
            }
        } else if (it != history.packages.end()) {
            it->second.pending_since.reset();
        }
    }
}

std::set<std::string> pending_past_grace(const HealHistory& history, const HealConfig& config,
                                         TimePoint now) {
    std::set<std::string> ids;
    for (const auto& [id, entry] : history.packages) {
        if (entry.pending_since && now - *entry.pending_since >= config.pending_grace) {
            ids.insert(id);
        }
    }
    return ids;
}

void observe_streaks(HealHistory& history, const std::vector<PackageVerdict>& verdicts) {
    for (const auto& verdict : verdicts) {
        if (verdict.verdict == Verdict::stale_on_ns) {
            ++history.packages[verdict.id].stale_streak;
        } else if (auto it = history.packages.find(verdict.id); it != history.packages.end()) {
            it->second.stale_streak = 0;
        }
    }
}

HealPlan plan_heal(const std::vector<PackageVerdict>& verdicts, const HealHistory& history,
                   const HealConfig& config, const HealGates& gates, TimePoint now) {
    HealPlan plan;
    plan.budget_left_today = std::max(0, config.max_per_day - history.heals_in_last_day(now));

    std::vector<const PackageVerdict*> stale;
    for (const auto& verdict : verdicts) {
        const auto entry = history.packages.find(verdict.id);
        if (entry != history.packages.end() && !entry->second.awaiting_action.empty()) {
            plan.decisions[verdict.id] = {HealState::awaiting,
                                          "healed by action " + entry->second.awaiting_action +
                                              "; waiting for the NS to turn Ready",
                                          entry->second.awaiting_action};
            continue;
        }
        if (verdict.verdict == Verdict::stale_on_ns) {
            stale.push_back(&verdict);
        }
    }

    // A large share of stale packages at once is a global problem (credential, NS, network):
    // deleting files would make every client re-download and cannot fix it.
    const std::size_t total = verdicts.size();
    const bool over_share =
        total > 0 &&
        stale.size() * 100 > total * static_cast<std::size_t>(config.mass_event_percent);
    const bool over_count = stale.size() > static_cast<std::size_t>(config.mass_event_count);
    if (!stale.empty() && (over_share || over_count)) {
        plan.breaker = std::to_string(stale.size()) + " of " + std::to_string(total) +
                       " packages are stale at once (limits: more than " +
                       std::to_string(config.mass_event_percent) + "% or more than " +
                       std::to_string(config.mass_event_count) +
                       "): a global problem (credential, NS, network), not stale files; "
                       "healing nothing";
    }

    int planned_this_cycle = 0;
    for (const PackageVerdict* verdict : stale) {
        const std::string& id = verdict->id;
        const auto entry_it = history.packages.find(id);
        const PackageHistory entry =
            entry_it == history.packages.end() ? PackageHistory{} : entry_it->second;
        if (gates.ns_problem) {
            plan.decisions[id] = blocked("NS answer not usable: " + *gates.ns_problem);
        } else if (gates.acl_problem) {
            plan.decisions[id] = blocked(*gates.acl_problem + ": heal cannot help until fixed");
        } else if (gates.diagnosis_problem) {
            plan.decisions[id] = blocked(*gates.diagnosis_problem);
        } else if (entry.heal_failed) {
            plan.decisions[id] = {HealState::failed,
                                  "heal failed " + std::to_string(entry.attempts) +
                                      " times; no more attempts until `psguard reset " + id + "`",
                                  {}};
        } else if (entry.stale_streak < config.confirm_cycles) {
            plan.decisions[id] = blocked("stale in " + std::to_string(entry.stale_streak) + " of " +
                                         std::to_string(config.confirm_cycles) +
                                         " consecutive cycles needed before acting");
        } else if (plan.breaker) {
            plan.decisions[id] = blocked("mass-event breaker: " + *plan.breaker);
        } else if (planned_this_cycle >= config.max_per_cycle) {
            plan.decisions[id] =
                blocked("per-cycle budget of " + std::to_string(config.max_per_cycle) +
                        " packages used; next cycle");
        } else if (planned_this_cycle >= plan.budget_left_today) {
            plan.decisions[id] =
                blocked("daily budget of " + std::to_string(config.max_per_day) + " packages used");
        } else {
            plan.decisions[id] = {HealState::planned,
                                  "stale for " + std::to_string(entry.stale_streak) +
                                      " consecutive cycles; every guard holds",
                                  {}};
            plan.to_heal.push_back(id);
            ++planned_this_cycle;
        }
    }
    return plan;
}

}  // namespace psguard
