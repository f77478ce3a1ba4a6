#include "cycle/check_cycle.hpp"

#include "core/utf8_path.hpp"
#include "heal/heal_planner.hpp"
#include "heal/healer.hpp"
#include "local/tree_scanner.hpp"
#include "platform/process_runner.hpp"

namespace psguard {
namespace {

// Scan findings that mean something is wrong (others are reported for information).
bool is_problem(ScanFindingKind kind) {
    switch (kind) {
        case ScanFindingKind::unexpected_entry:
        case ScanFindingKind::followed_link:
            return false;
        default:
            return true;
    }
}

// The shared first half of every cycle: local scan and NS fetch.
struct Observation {
    CheckReport report;
    LocalScan local;
    std::optional<NsAnswer> answer;
};

Observation observe(const Config& config, NsClient& ns) {
    Observation seen;
    CheckReport& report = seen.report;
    report.server = config.server_name;
    report.ns.url = config.ns.url;

    seen.local = scan_local_state(config.paths, config.parse);
    for (const auto& finding : seen.local.findings) {
        report.findings.push_back(Finding{to_string(finding.kind), path_to_utf8(finding.path),
                                          finding.detail, is_problem(finding.kind)});
    }

    NsFetch fetch = ns.fetch_package_states();
    report.ns.attempts = fetch.attempts;
    report.ns.reachable = fetch.http_status != 0;
    if (!fetch.answer) {
        report.ns.failure = fetch.failure;
        report.ns.error = fetch.error;
        report.packages = reconcile_without_ns(seen.local, fetch.error);
        return seen;
    }
    report.ns.usable = true;
    report.ns.rows = fetch.answer->rows.size();
    if (fetch.answer->rows.empty()) {
        report.findings.push_back(
            Finding{"ns_lists_no_package", config.ns.url,
                    "the NS report lists no package for Package Server \"" + config.server_name +
                        "\": check the server name (package_server.name) and the report"});
    }
    seen.answer = std::move(fetch.answer);
    return seen;
}

// Later cycles confirm a heal (the package turned healthy) or give up on it.
void verify_actions(const Config& config, StateDir& state, const CheckReport& report,
                    HealReport& heal, TimePoint now) {
    for (const auto& package : report.packages) {
        auto it = state.history().packages.find(package.id);
        if (it == state.history().packages.end() || it->second.awaiting_action.empty()) {
            continue;
        }
        PackageHistory& entry = it->second;
        ++entry.cycles_since_heal;
        const std::string action = entry.awaiting_action;
        if (package.verdict == Verdict::healthy) {
            (void)state.journal().append({{"action", action}, {"event", "verified"}}, now);
            heal.verified.push_back(action);
            entry = PackageHistory{};
        } else if (entry.cycles_since_heal >= config.heal.verify_cycles) {
            const std::string detail =
                "the package is still " +
                std::string(package.verdict ? to_string(*package.verdict) : "unknown") + " after " +
                std::to_string(entry.cycles_since_heal) + " cycles";
            (void)state.journal().append(
                {{"action", action}, {"event", "verify_failed"}, {"detail", detail}}, now);
            heal.verify_failed.push_back(action);
            entry.awaiting_action.clear();
            entry.cycles_since_heal = 0;
            entry.heal_failed = entry.attempts >= config.heal.max_attempts;
        }
    }
}

// Makes the agent rebuild and re-report: the configured command and/or service restart.
std::string trigger_refresh(const Config& config, StateDir& state,
                            const std::vector<std::string>& action_ids, TimePoint now) {
    std::string summary;
    if (!config.heal.refresh_command.empty()) {
        auto outcome = run_process(config.heal.refresh_command, config.heal.refresh_timeout,
                                   state.path() / "refresh.out");
        if (!outcome) {
            summary = "refresh command failed to start: " + outcome.error().message;
        } else if (outcome->timed_out) {
            summary = "refresh command killed after " +
                      std::to_string(config.heal.refresh_timeout.count()) + " s";
        } else {
            summary = "refresh command exited " + std::to_string(*outcome->exit_code);
        }
        for (const auto& id : action_ids) {
            (void)state.journal().append(
                {{"action", id},
                 {"event", "refresh"},
                 {"command", config.heal.refresh_command},
                 {"summary", summary},
                 {"exit_code", outcome && outcome->exit_code ? nlohmann::json(*outcome->exit_code)
                                                             : nlohmann::json(nullptr)},
                 {"output", outcome ? outcome->output : std::string()}},
                now);
        }
    }
    if (!config.heal.restart_service.empty()) {
        auto restarted =
            restart_service(config.heal.restart_service, config.heal.refresh_timeout, state.path());
        const std::string line = restarted ? "restarted service " + config.heal.restart_service
                                           : restarted.error().message;
        summary += (summary.empty() ? "" : "; ") + line;
        for (const auto& id : action_ids) {
            (void)state.journal().append({{"action", id}, {"event", "refresh"}, {"summary", line}},
                                         now);
        }
    }
    return summary.empty() ? "no refresh configured (heal.refresh_command, heal.restart_service)"
                           : summary;
}

}  // namespace

CheckReport run_check_cycle(const Config& config, NsClient& ns) {
    Observation seen = observe(config, ns);
    if (seen.answer) {
        seen.report.packages = reconcile(seen.local, *seen.answer, {});
    }
    return std::move(seen.report);
}

CheckReport run_cycle(const Config& config, NsClient& ns, StateDir& state,
                      const CycleOptions& options, TimePoint now) {
    Healer healer(config.paths, config.heal, state.journal());
    HealReport heal;
    heal.dry_run = options.dry_run;
    if (!options.dry_run) {
        heal.recovered = healer.recover(now);
    }

    Observation seen = observe(config, ns);
    CheckReport& report = seen.report;
    HealHistory& history = state.history();
    HealGates gates;
    if (seen.answer) {
        // Pending on the NS counts as stale only past the grace period, measured across cycles.
        observe_pending(history, reconcile(seen.local, *seen.answer, {}), now);
        ReconcileOptions reconcile_options;
        reconcile_options.pending_past_grace = pending_past_grace(history, config.heal, now);
        report.packages = reconcile(seen.local, *seen.answer, reconcile_options);
        verify_actions(config, state, report, heal, now);
        observe_streaks(history, report.packages);
    } else {
        gates.ns_problem = report.ns.error;
    }

    HealPlan plan = plan_heal(report.packages, history, config.heal, gates, now);
    heal.breaker = plan.breaker;
    heal.budget_left_today = plan.budget_left_today;
    std::vector<std::string> done_actions;
    for (const auto& id : plan.to_heal) {
        HealDecision& decision = plan.decisions[id];
        if (options.dry_run) {
            heal.actions.push_back({"", id, {}, "planned", decision.reason});
            continue;
        }
        if (!options.heal) {
            decision.state = HealState::blocked;
            decision.reason = "every guard holds, but heal is disabled (heal.enabled)";
            continue;
        }
        const auto local = seen.local.packages.find(id);
        if (local == seen.local.packages.end()) {
            continue;
        }
        const HealActionOutcome outcome = healer.heal(local->second, decision.reason, now);
        PackageHistory& entry = history.packages[id];
        ++entry.attempts;
        decision.action_id = outcome.action_id;
        if (outcome.done) {
            decision.state = HealState::done;
            decision.reason = outcome.detail;
            entry.awaiting_action = outcome.action_id;
            entry.cycles_since_heal = 0;
            entry.stale_streak = 0;
            history.heals.push_back(now);
            done_actions.push_back(outcome.action_id);
        } else {
            decision.state = HealState::failed;
            decision.reason = outcome.detail;
            entry.heal_failed = entry.attempts >= config.heal.max_attempts;
        }
        heal.actions.push_back({outcome.action_id, id, outcome.files,
                                outcome.done ? "done" : "failed", outcome.detail});
    }
    if (!done_actions.empty()) {
        heal.refresh = trigger_refresh(config, state, done_actions, now);
    }
    heal.decisions = std::move(plan.decisions);

    // Observations are psguard's own state: a dry run keeps them too, so repeated dry runs
    // show when the guards would let a heal through.
    history.prune(now);
    if (auto saved = state.save_history(); !saved) {
        report.findings.push_back(
            Finding{"state_not_saved", path_to_utf8(state.path()), saved.error().message, true});
    }
    if (!options.dry_run) {
        healer.prune_quarantine(now);
    }
    report.heal = std::move(heal);
    return std::move(report);
}

}  // namespace psguard
