#include "cycle/check_cycle.hpp"

#include <functional>

#include "acl/acl_inspector.hpp"
#include "core/utf8_path.hpp"
#include "evidence/evidence_cycle.hpp"
#include "heal/acl_repairer.hpp"
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
    LocalScan own_scan;                // filled when the cycle scanned by itself
    const LocalScan* local = nullptr;  // own_scan or the caller's (incremental) scan
    std::optional<NsAnswer> answer;
};

// Which package folders' ACLs an incremental cycle reads again.
struct AclReuse {
    const AclReport* previous = nullptr;
    const std::set<std::string>* changed_packages = nullptr;
};

// The ACL check of the credential account on both roots and every package folder.
AclReport check_acls(const Config& config, const LocalScan& local, const AclReuse& reuse) {
    if (config.credential_account.empty()) {
        AclReport none;
        none.note = "no credential_account configured: the ACL check did not run";
        return none;
    }
    std::vector<std::filesystem::path> package_dirs;
    for (const auto& [id, package] : local.packages) {
        for (const auto* dir : {&package.delivery_dir, &package.status_dir}) {
            if (!dir->empty()) {
                package_dirs.push_back(*dir);
            }
        }
    }
    const std::vector<std::filesystem::path> roots = {config.paths.package_delivery,
                                                      config.paths.package_status};
    if (reuse.previous == nullptr || reuse.changed_packages == nullptr) {
        return inspect_acls(config.credential_account, roots, package_dirs, config.acl);
    }
    std::set<std::filesystem::path> recheck;
    for (const auto& id : *reuse.changed_packages) {
        if (const auto it = local.packages.find(id); it != local.packages.end()) {
            recheck.insert(it->second.delivery_dir);
            recheck.insert(it->second.status_dir);
        }
    }
    return inspect_acls_reusing(config.credential_account, roots, package_dirs, config.acl,
                                *reuse.previous, recheck);
}

// One line naming why the credential account cannot do its job, or nullopt when it can.
std::optional<std::string> acl_problem(const AclReport& acl) {
    if (!acl.configured) {
        return std::nullopt;
    }
    if (!acl.account_resolved) {
        return "credential account " + acl.account + " does not resolve on this host" +
               (acl.note.empty() ? std::string() : " (" + acl.note + ")");
    }
    for (const auto& result : acl.results) {
        if (result.ok) {
            continue;
        }
        if (!result.error.empty()) {
            return "the ACL of " + result.path + " could not be checked: " + result.error;
        }
        std::string missing;
        for (const auto& right : result.missing) {
            missing += (missing.empty() ? "" : ", ") + right;
        }
        return "credential account " + acl.account + " lacks " + missing + " on " + result.path;
    }
    return std::nullopt;
}

void add_acl_findings(const AclReport& acl, const Config& config, CheckReport& report) {
    if (!acl.configured) {
        return;
    }
    if (!acl.account_resolved) {
        report.findings.push_back(
            Finding{"credential_account_unresolved", acl.account, *acl_problem(acl), true});
        return;
    }
    std::size_t package_folders = 0;
    for (const auto& result : acl.results) {
        if (result.ok) {
            continue;
        }
        const bool root = result.path == path_to_utf8(config.paths.package_delivery) ||
                          result.path == path_to_utf8(config.paths.package_status);
        if (!root) {
            ++package_folders;
            continue;
        }
        std::string missing;
        for (const auto& right : result.missing) {
            missing += (missing.empty() ? "" : ", ") + right;
        }
        report.findings.push_back(
            Finding{"acl_missing_rights", result.path,
                    result.error.empty() ? "missing " + missing : result.error, true});
    }
    if (package_folders > 0) {
        report.findings.push_back(Finding{
            "acl_missing_rights", path_to_utf8(config.paths.package_delivery),
            std::to_string(package_folders) + " package folders lack required rights (see \"acl\")",
            true});
    }
}

// The first half of every cycle: local scan, ACL check, the agent's evidence, NS fetch.
// `settle` is told the ACL result and answers since when older evidence is settled (the agent
// loop remembers when a failing ACL check started to pass); a one-shot check has none.
using SettleEvidence = std::function<std::optional<TimePoint>(const AclReport&)>;

Observation observe(const Config& config, NsClient& ns, EvidenceState& evidence,
                    const SettleEvidence& settle, const LocalScan* scanned, const AclReuse& reuse) {
    Observation seen;
    CheckReport& report = seen.report;
    report.server = config.server_name;
    report.ns.url = config.ns.url;

    if (scanned != nullptr) {
        seen.local = scanned;
    } else {
        seen.own_scan = scan_local_state(config.paths, config.parse);
        seen.local = &seen.own_scan;
    }
    for (const auto& finding : seen.local->findings) {
        report.findings.push_back(Finding{to_string(finding.kind), path_to_utf8(finding.path),
                                          finding.detail, is_problem(finding.kind)});
    }

    report.acl = check_acls(config, *seen.local, reuse);
    add_acl_findings(*report.acl, config, report);

    EvidenceCycleInput input;
    if (report.acl->configured) {
        input.account_resolved = report.acl->account_resolved;
        if (report.acl->account_resolved) {
            input.acl_ok = report.acl->ok();
        }
    }
    input.package_roots = {config.paths.package_delivery, config.paths.package_status};
    for (const auto& root : config.paths.storage_roots) {
        input.package_roots.push_back(root);
    }
    if (settle) {
        if (const auto since = settle(*report.acl)) {
            input.settled_before = *since;
        }
    }
    const EvidenceCycleResult found = run_evidence_cycle(evidence, config.evidence, input);
    report.evidence = found.to_json();
    report.diagnosis = found.diagnosis.cause;
    report.diagnosis_summary = found.diagnosis.summary;

    NsFetch fetch = ns.fetch_package_states();
    report.ns.attempts = fetch.attempts;
    report.ns.reachable = fetch.http_status != 0;
    if (!fetch.answer) {
        report.ns.failure = fetch.failure;
        report.ns.error = fetch.error;
        report.packages = reconcile_without_ns(*seen.local, fetch.error);
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

// Diagnoses that removing files cannot fix.
bool heal_cannot_help(Cause cause) {
    return cause == Cause::acl_missing || cause == Cause::credential_not_applied;
}

// Every stale package's reason names the cause psguard found behind it.
void explain_stale(CheckReport& report) {
    const auto acl = report.acl ? acl_problem(*report.acl) : std::nullopt;
    for (auto& package : report.packages) {
        if (package.verdict != Verdict::stale_on_ns) {
            continue;
        }
        if (acl) {
            package.reason += "; " + *acl + ": heal cannot help until fixed";
        }
        if (report.diagnosis != Cause::unknown) {
            package.reason += "; the evidence points to " +
                              std::string(to_string(report.diagnosis)) + " (" +
                              report.diagnosis_summary + ")";
        }
    }
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
        // An outcome the journal cannot record is not taken: the next cycle verifies again.
        if (package.verdict == Verdict::healthy) {
            if (!state.journal().append(action, OutcomeEvent{Outcome::verified, {}}, now)) {
                continue;
            }
            heal.verified.push_back(action);
            entry = PackageHistory{};
        } else if (entry.cycles_since_heal >= config.heal.verify_cycles) {
            const std::string detail =
                "the package is still " +
                std::string(package.verdict ? to_string(*package.verdict) : "unknown") + " after " +
                std::to_string(entry.cycles_since_heal) + " cycles";
            if (!state.journal().append(action, OutcomeEvent{Outcome::verify_failed, detail},
                                        now)) {
                continue;
            }
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
    // The refresh has happened either way; a record that cannot be written is said here (and
    // reported as a finding by the journal's notices).
    bool unrecorded = false;
    auto record = [&](const RefreshEvent& event) {
        for (const auto& id : action_ids) {
            unrecorded = !state.journal().append(id, event, now) || unrecorded;
        }
    };
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
        record({summary,
                RefreshRun{config.heal.refresh_command, outcome ? outcome->exit_code : std::nullopt,
                           outcome ? outcome->output : std::string()}});
    }
    if (!config.heal.restart_service.empty()) {
        auto restarted =
            restart_service(config.heal.restart_service, config.heal.refresh_timeout, state.path());
        const std::string line = restarted ? "restarted service " + config.heal.restart_service
                                           : restarted.error().message;
        summary += (summary.empty() ? "" : "; ") + line;
        record({line, std::nullopt});
    }
    if (summary.empty()) {
        return "no refresh configured (heal.refresh_command, heal.restart_service)";
    }
    return unrecorded ? summary + " (not journaled: the journal cannot be written)" : summary;
}

const AclResult* acl_result_for(const AclReport& acl, const std::filesystem::path& path) {
    const std::string shown = path_to_utf8(path);
    for (const auto& result : acl.results) {
        if (result.path == shown) {
            return &result;
        }
    }
    return nullptr;
}

std::string missing_text(const AclResult& result) {
    if (!result.error.empty()) {
        return result.error;
    }
    std::string missing;
    for (const auto& right : result.missing) {
        missing += (missing.empty() ? "" : ", ") + right;
    }
    return "still lacks " + missing;
}

// This cycle's check confirms (or not) the ACL repairs of earlier cycles.
void verify_acl_repairs(const AclReport& acl, StateDir& state, HealReport& heal, TimePoint now) {
    if (!acl.configured || !acl.account_resolved) {
        return;
    }
    AclRepairer repairer(state.journal());
    for (const auto& action : repairer.awaiting_verification()) {
        const AclResult* result = acl_result_for(acl, action.acl_path);
        if (result == nullptr) {
            continue;  // not checked this cycle (the root is gone): keep waiting
        }
        const bool ok = result->ok;
        const std::string detail =
            ok ? "the check now grants " + acl.account + " what it needs" : missing_text(*result);
        const Outcome outcome = ok ? Outcome::verified : Outcome::verify_failed;
        if (!state.journal().append(action.id, OutcomeEvent{outcome, detail}, now)) {
            continue;  // not recorded, so not taken: the next cycle verifies again
        }
        heal.acl_repairs.push_back(
            {action.id, path_to_utf8(action.acl_path), ok ? "verified" : "verify_failed", detail});
    }
}

// acl.repair: grant the credential account modify on each root whose check failed.
void repair_acls(const Config& config, const AclReport& acl, StateDir& state, HealReport& heal,
                 bool dry_run, TimePoint now) {
    if (!config.acl.repair || !acl.configured || !acl.account_resolved) {
        return;
    }
    AclRepairer repairer(state.journal());
    for (const auto& root : {config.paths.package_delivery, config.paths.package_status}) {
        const AclResult* result = acl_result_for(acl, root);
        if (result == nullptr || result->ok || !result->error.empty()) {
            continue;  // fine, or not readable: nothing a grant would fix
        }
        const std::string shown = path_to_utf8(root);
        const std::string reason =
            "credential account " + acl.account + " " + missing_text(*result) + " on " + shown;
        if (auto blocked = repairer.repair_blocked(root, now)) {
            heal.acl_repairs.push_back({"", shown, "skipped", *blocked});
            continue;
        }
        if (dry_run) {
            heal.acl_repairs.push_back({"", shown, "planned", "would grant modify: " + reason});
            continue;
        }
        const AclRepairOutcome outcome = repairer.repair(root, acl.account, reason, now);
        heal.acl_repairs.push_back(
            {outcome.action_id, shown, outcome.done ? "done" : "failed", outcome.detail});
    }
}

// An interrupted heal that recovery found complete stands: the history waits for its
// verification and the agent is asked to re-report, unless the cycle that healed got as far
// as saving that (its journal write failed, not the process). True when adopted now.
bool adopt_completed(HealHistory& history, const RecoveryOutcome& outcome, TimePoint now) {
    if (!outcome.completed || outcome.package.empty()) {
        return false;
    }
    PackageHistory& entry = history.packages[outcome.package];
    if (entry.awaiting_action == outcome.action_id) {
        return false;
    }
    ++entry.attempts;
    entry.awaiting_action = outcome.action_id;
    entry.cycles_since_heal = 0;
    entry.stale_streak = 0;
    history.heals.push_back(now);
    return true;
}

}  // namespace

CheckReport run_check_cycle(const Config& config, NsClient& ns) {
    // A one-shot check keeps no state: the agent's log is read from the start (within the
    // per-cycle read budget).
    EvidenceState evidence(config.evidence);
    Observation seen = observe(config, ns, evidence, {}, nullptr, {});
    if (seen.answer) {
        seen.report.packages = reconcile(*seen.local, *seen.answer, {});
        explain_stale(seen.report);
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
        for (auto& outcome : AclRepairer(state.journal()).recover(now)) {
            heal.recovered.push_back(std::move(outcome));
        }
    }

    HealHistory& history = state.history();
    std::vector<std::string> done_actions;
    for (const auto& outcome : heal.recovered) {
        if (adopt_completed(history, outcome, now)) {
            done_actions.push_back(outcome.action_id);
        }
    }
    Observation seen = observe(
        config, ns, state.evidence(config.evidence),
        [&](const AclReport& acl) -> std::optional<TimePoint> {
            if (acl.ok()) {
                return history.acl_last_failed;
            }
            if (acl.configured) {
                history.acl_last_failed = now;
            }
            return std::nullopt;
        },
        options.local, AclReuse{options.previous_acl, options.changed_packages});
    CheckReport& report = seen.report;
    if (report.acl) {
        verify_acl_repairs(*report.acl, state, heal, now);
        repair_acls(config, *report.acl, state, heal, options.dry_run, now);
    }
    HealGates gates;
    if (report.acl && !report.acl->configured) {
        gates.acl_problem = "no credential_account configured, so the ACL check cannot pass";
    } else if (auto problem = acl_problem(*report.acl)) {
        gates.acl_problem = problem;
    }
    if (heal_cannot_help(report.diagnosis)) {
        gates.diagnosis_problem = "the evidence points to " +
                                  std::string(to_string(report.diagnosis)) + " (" +
                                  report.diagnosis_summary + "): removing files cannot help";
    }
    if (seen.answer) {
        // Pending on the NS counts as stale only past the grace period, measured across cycles.
        observe_pending(history, reconcile(*seen.local, *seen.answer, {}), now);
        ReconcileOptions reconcile_options;
        reconcile_options.pending_past_grace = pending_past_grace(history, config.heal, now);
        report.packages = reconcile(*seen.local, *seen.answer, reconcile_options);
        verify_actions(config, state, report, heal, now);
        observe_streaks(history, report.packages);
        explain_stale(report);
    } else {
        gates.ns_problem = report.ns.error;
    }

    HealPlan plan = plan_heal(report.packages, history, config.heal, gates, now);
    heal.breaker = plan.breaker;
    heal.budget_left_today = plan.budget_left_today;
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
        const auto local = seen.local->packages.find(id);
        if (local == seen.local->packages.end()) {
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
    if (auto saved = state.save_evidence(); !saved) {
        report.findings.push_back(
            Finding{"state_not_saved", path_to_utf8(state.path()), saved.error().message, true});
    }
    if (auto saved = state.save_history(); !saved) {
        report.findings.push_back(
            Finding{"state_not_saved", path_to_utf8(state.path()), saved.error().message, true});
    }
    if (!options.dry_run) {
        healer.prune_quarantine(now);
    }
    if (auto saved = state.journal().save_index(); !saved) {
        report.findings.push_back(
            Finding{"state_not_saved", path_to_utf8(state.path()), saved.error().message, true});
    }
    // A torn journal line cut off, a record not written: the operator hears of each.
    for (auto& notice : state.journal().take_notices()) {
        report.findings.push_back(Finding{to_string(notice.kind),
                                          path_to_utf8(state.journal().file()),
                                          std::move(notice.detail), true});
    }
    report.heal = std::move(heal);
    return std::move(report);
}

}  // namespace psguard
