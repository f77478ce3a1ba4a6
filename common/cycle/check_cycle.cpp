#include "cycle/check_cycle.hpp"

#include <functional>

#include "acl/acl_inspector.hpp"
#include "core/utf8_path.hpp"
#include "evidence/evidence_cycle.hpp"
#include "heal/acl_confirmation.hpp"
#include "heal/acl_repairer.hpp"
#include "heal/heal_planner.hpp"
#include "heal/healer.hpp"
#include "heal/policy_refresh.hpp"
#include "heal/refresh_trigger.hpp"
#include "local/tree_scanner.hpp"
#include "reconcile/agent_view.hpp"
#include "smp/fleet_report.hpp"

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
    AgentView agent_view;                   // read: false when off or unavailable
    std::set<std::string> from_agent_view;  // unreadable packages judged by the agent's view
};

// Which package folders' ACLs an incremental cycle reads again.
struct AclReuse {
    const AclReport* previous = nullptr;
    const std::set<std::string>* changed_packages = nullptr;
};

// The ACL check of the credential account on both roots and every package folder. Where the
// agent manages package folders' DACLs (Windows), a folder whose package is not Ready may be
// mid-update and is not judged.
AclReport check_acls(const Config& config, const LocalScan& local, const AclReuse& reuse,
                     const AgentView& view) {
    if (config.credential_account.empty()) {
        AclReport none;
        none.note = "no credential_account configured: the ACL check did not run";
        return none;
    }
    std::vector<std::filesystem::path> package_dirs;
    for (const auto& [id, package] : local.packages) {
        if (config.acl.agent_manages_dacls &&
            !ready_by_every_source(id, package, view.read ? &view : nullptr)) {
            continue;
        }
        for (auto dir : {local.delivery_dir(id, package), local.status_dir(id, package)}) {
            if (!dir.empty()) {
                package_dirs.push_back(std::move(dir));
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
            recheck.insert(local.delivery_dir(id, it->second));
            recheck.insert(local.status_dir(id, it->second));
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
        if (!result.problem()) {
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
        report.findings.push_back(Finding{FindingKind::credential_account_unresolved, acl.account,
                                          *acl_problem(acl), true});
        return;
    }
    std::size_t package_folders = 0;
    for (const auto& result : acl.results) {
        if (!result.problem()) {
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
            Finding{FindingKind::acl_missing_rights, result.path,
                    result.error.empty() ? "missing " + missing : result.error, true});
    }
    if (package_folders > 0) {
        report.findings.push_back(Finding{
            FindingKind::acl_missing_rights, path_to_utf8(config.paths.package_delivery),
            std::to_string(package_folders) + " package folders lack required rights (see \"acl\")",
            true});
    }
}

// local.agent_view: the agent's own view of its packages, cross-checked with the files. A
// failed read degrades to the files alone, with a note (silently where the class is simply not
// registered and the setting is automatic).
void read_agent_view(const Config& config, AgentAutomation& agent, Observation& seen) {
    if (config.local.agent_view == AgentViewMode::off) {
        return;
    }
    CheckReport& report = seen.report;
    const AgentPackagesRead read = agent.read_packages();
    seen.agent_view = make_agent_view(read);
    AgentViewReport& shown = report.agent_view.emplace();
    shown.read = seen.agent_view.read;
    shown.note = seen.agent_view.note;
    if (!seen.agent_view.read) {
        const bool quiet = config.local.agent_view == AgentViewMode::automatic &&
                           read.outcome.failure == ComFailure::not_registered;
        shown.note = "the agent's view of its packages was not read (" + read.outcome.message +
                     "): the files alone are used";
        if (!quiet) {
            report.findings.push_back(
                Finding{FindingKind::agent_view_unavailable, "", shown.note, false});
        }
        return;
    }
    shown.packages = seen.agent_view.packages.size();
    for (const auto& [id, package] : seen.agent_view.packages) {
        shown.custom_location += package.is_custom_location ? 1 : 0;
    }
    for (const auto& disagreement : cross_check(*seen.local, seen.agent_view)) {
        ++shown.disagreements;
        report.findings.push_back(
            Finding{FindingKind::agent_view_disagrees, path_to_utf8(disagreement.status_file),
                    "the agent calls package " + disagreement.id +
                        (disagreement.name.empty() ? "" : " (" + disagreement.name + ")") + " \"" +
                        disagreement.agent_status + "\", its PackageStatus.xml says \"" +
                        disagreement.file_status + "\"",
                    true});
    }
    if (auto filled = fill_unreadable_from_agent(*seen.local, seen.agent_view)) {
        for (const auto& [id, package] : seen.local->packages) {
            if (package.unreadable_reason && !filled->packages.at(id).unreadable_reason) {
                seen.from_agent_view.insert(id);
            }
        }
        shown.used_for_unreadable = seen.from_agent_view.size();
        seen.own_scan = std::move(*filled);
        seen.local = &seen.own_scan;
    }
}

// Names the NS did not give come from the agent; verdicts that rest on the agent's view say so.
void annotate_from_agent_view(const Observation& seen, CheckReport& report) {
    for (auto& package : report.packages) {
        const auto agent = seen.agent_view.packages.find(package.id);
        if (agent != seen.agent_view.packages.end() && package.name.empty()) {
            package.name = agent->second.name;
        }
        if (seen.from_agent_view.contains(package.id)) {
            package.reason += " (its files could not be read: the agent's own view was used)";
        }
    }
}

// The first half of every cycle: local scan, ACL check, NS fetch, the agent's evidence.
// `settle` is told the ACL result and answers since when older evidence is settled (the agent
// loop remembers when a failing ACL check started to pass); a one-shot check has none.
using SettleEvidence = std::function<std::optional<TimePoint>(const AclReport&)>;

Observation observe(const Config& config, NsClient& ns, AgentAutomation& agent,
                    EvidenceState& evidence, const SettleEvidence& settle, const LocalScan* scanned,
                    const AclReuse& reuse) {
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
        report.findings.push_back(Finding{finding_kind(finding.kind), path_to_utf8(finding.path),
                                          finding.detail, is_problem(finding.kind)});
    }

    read_agent_view(config, agent, seen);
    report.acl = check_acls(config, *seen.local, reuse, seen.agent_view);
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

    // The NS is asked before the evidence is weighed: the error texts it keeps per package are
    // evidence too.
    NsFetch fetch = ns.fetch_package_states();
    if (fetch.answer) {
        for (const auto& row : fetch.answer->rows) {
            if (row.error) {
                input.ns_errors.push_back({row.id, *row.error});
            }
        }
    }
    EvidenceCycleResult found = run_evidence_cycle(evidence, config.evidence, input);
    report.diagnosis = found.diagnosis.cause;
    report.diagnosis_summary = found.diagnosis.summary;
    report.evidence = std::move(found);

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
            Finding{FindingKind::ns_lists_no_package, config.ns.url,
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
            if (!state.journal().append(action, OutcomeEvent{Outcome::verified}, now)) {
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
        if (result == nullptr || !result->not_checked.empty()) {
            continue;  // not checked this cycle (the root is gone or a link): keep waiting
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

// The roots acl.repair would grant the credential account modify on: those whose check failed
// (not those that could not be read: a grant would fix nothing there).
std::vector<std::pair<std::filesystem::path, const AclResult*>> repairable_roots(
    const Config& config, const AclReport& acl) {
    std::vector<std::pair<std::filesystem::path, const AclResult*>> roots;
    if (!config.acl.repair || !acl.configured || !acl.account_resolved) {
        return roots;
    }
    for (const auto& root : {config.paths.package_delivery, config.paths.package_status}) {
        const AclResult* result = acl_result_for(acl, root);
        // Fine, a link, or not readable: nothing a grant would fix.
        if (result != nullptr && result->problem() && result->error.empty()) {
            roots.emplace_back(root, result);
        }
    }
    return roots;
}

// acl.repair: grant the credential account modify on each root whose check failed; with
// heal.policy_refresh, only once the agent has been asked to apply its policies again.
void repair_acls(const Config& config, const AclReport& acl, StateDir& state, HealReport& heal,
                 bool dry_run, TimePoint now) {
    AclRepairer repairer(state.journal());
    const auto waits = acl_repair_waits_for_policies(config.heal, state.history(), now);
    for (const auto& [root, result] : repairable_roots(config, acl)) {
        const std::string shown = path_to_utf8(root);
        const std::string reason =
            "credential account " + acl.account + " " + missing_text(*result) + " on " + shown;
        if (auto blocked = repairer.repair_blocked(root, now)) {
            heal.acl_repairs.push_back({"", shown, "skipped", *blocked});
            continue;
        }
        if (waits) {
            heal.acl_repairs.push_back({"", shown, "skipped", *waits});
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

// The fleet status NSE's row for this cycle.
FleetStatus fleet_status(const Config& config, const CheckReport& report, const HealReport& heal,
                         const Journal& journal, TimePoint now) {
    FleetStatus status;
    status.version = PSGUARD_VERSION;
    status.cycle_time = now;
    const int code = report.exit_code();
    status.result = code == kExitHealthy    ? "healthy"
                    : code == kExitFindings ? "findings"
                                            : "ns_unusable";
    const auto counts = report.summary();
    for (std::size_t i = 0; i < std::size(kAllVerdicts); ++i) {
        const auto it = counts.find(std::string(to_string(kAllVerdicts[i])));
        status.verdict_counts[i] = it == counts.end() ? 0 : it->second;
    }
    status.diagnosis = to_string(report.diagnosis);
    status.diagnosis_summary = report.diagnosis_summary;
    if (report.acl && report.acl->configured) {
        status.acl_ok = report.acl->ok();
    }
    status.heal_enabled = config.heal.enabled;
    for (const auto& action : journal.actions()) {
        if (action.kind != ActionKind::files || now - action.time >= std::chrono::hours(24)) {
            continue;
        }
        ++status.heal_actions_24h;
        const bool failed = action.result == ActionResult::failed ||
                            action.result == ActionResult::verify_failed ||
                            action.result == ActionResult::rolled_back;
        status.heal_failures_24h += failed ? 1 : 0;
    }
    status.breaker = heal.breaker.value_or("");
    return status;
}

// smp_report: the row goes out when due (summary changed, or the interval passed).
SmpReportOutcome send_fleet_status(const Config& config, const FleetStatus& status,
                                   HealHistory& history, AgentAutomation& agent, TimePoint now) {
    SmpReportOutcome outcome;
    outcome.last_success = history.smp_last_success;
    const std::string fingerprint = status.fingerprint();
    if (!fleet_row_due(
            {history.smp_last_attempt, history.smp_last_fingerprint, history.smp_last_success},
            fingerprint, config.smp_report.interval, now)) {
        outcome.result = "not_due";
        outcome.detail = "sent at " + format_utc(*history.smp_last_attempt) +
                         "; the summary has not changed since";
        return outcome;
    }
    const ComOutcome sent = agent.send_event(fleet_message(config.smp_report.data_class, status));
    history.smp_last_attempt = now;
    history.smp_last_fingerprint = fingerprint;
    outcome.hresult = sent.hresult;
    if (sent.ok()) {
        history.smp_last_success = now;
        outcome.last_success = now;
        outcome.result = "sent";
        outcome.detail = "the fleet status row was queued for the NS (data class " +
                         config.smp_report.data_class + ")";
    } else {
        outcome.result = "failed";
        outcome.detail = sent.message;
    }
    return outcome;
}

// One run_cycle: what every step needs, and what the steps hand on to the next.
struct CycleRun {
    const Config& config;
    StateDir& state;
    const CycleOptions& options;
    TimePoint now;
    AgentAutomation& agent;
    Healer healer;
    HealReport heal;
    // Heals completed this cycle (or found complete by recovery): the agent re-reports once.
    std::vector<std::string> done_actions;
};

// Before anything is observed: actions a crash interrupted are finished or rolled back, and a
// heal found complete is adopted (awaiting its verification).
void recover_interrupted_actions(CycleRun& cycle) {
    cycle.heal.dry_run = cycle.options.dry_run;
    if (!cycle.options.dry_run) {
        Journal& journal = cycle.state.journal();
        cycle.heal.recovered = cycle.healer.recover(cycle.now);
        for (auto& outcome : AclRepairer(journal).recover(cycle.now)) {
            cycle.heal.recovered.push_back(std::move(outcome));
        }
        for (auto& outcome : recover_policy_refresh(cycle.state.history(), journal, cycle.now)) {
            cycle.heal.recovered.push_back(std::move(outcome));
        }
    }
    for (const auto& outcome : cycle.heal.recovered) {
        if (adopt_completed(cycle.state.history(), outcome, cycle.now)) {
            cycle.done_actions.push_back(outcome.action_id);
        }
    }
}

// Observe: the local scan (or the caller's), the ACL check, the NS answer, the agent's evidence;
// the history remembers since when a failing ACL check passes.
Observation observe_for_cycle(CycleRun& cycle, NsClient& ns) {
    HealHistory& history = cycle.state.history();
    const TimePoint now = cycle.now;
    return observe(
        cycle.config, ns, cycle.agent, cycle.state.evidence(cycle.config.evidence),
        [&history, now](const AclReport& acl) -> std::optional<TimePoint> {
            if (acl.ok()) {
                return history.acl_last_failed;
            }
            if (acl.configured) {
                history.acl_last_failed = now;
            }
            return std::nullopt;
        },
        cycle.options.local, AclReuse{cycle.options.previous_acl, cycle.options.changed_packages});
}

// What judging the observation leaves for acting on it.
struct CycleJudgement {
    AclReport acl;  // confirmed over heal.confirm_cycles
    HealGates gates;
};

// Judge: the verdicts (one reconcile; pending past the grace period turns stale), earlier heals
// and ACL repairs verified, the gates a heal must pass.
CycleJudgement judge_cycle(CycleRun& cycle, Observation& seen) {
    const Config& config = cycle.config;
    HealHistory& history = cycle.state.history();
    CheckReport& report = seen.report;
    CycleJudgement judged{
        confirmed_acl(*report.acl, config.acl, config.heal.confirm_cycles, history), {}};
    verify_acl_repairs(*report.acl, cycle.state, cycle.heal, cycle.now);
    if (!judged.acl.configured) {
        judged.gates.acl_problem = "no credential_account configured, so the ACL check cannot pass";
    } else if (auto problem = acl_problem(judged.acl)) {
        judged.gates.acl_problem = problem;
    }
    if (heal_cannot_help(report.diagnosis)) {
        judged.gates.diagnosis_problem = "the evidence points to " +
                                         std::string(to_string(report.diagnosis)) + " (" +
                                         report.diagnosis_summary + "): removing files cannot help";
    }
    if (!seen.answer) {
        judged.gates.ns_problem = report.ns.error;
        return judged;
    }
    // Pending on the NS counts as stale only past the grace period, measured across cycles:
    // one reconcile, then its pending verdicts past the grace turn stale.
    const CycleOptions& options = cycle.options;
    report.packages =
        options.local && options.changed_packages && options.previous_verdicts
            ? reconcile(*seen.local, *seen.answer, {},
                        PreviousVerdicts{*options.previous_verdicts, *options.changed_packages})
            : reconcile(*seen.local, *seen.answer, {});
    observe_pending(history, report.packages, cycle.now);
    apply_pending_grace(report.packages, pending_past_grace(history, config.heal, cycle.now));
    verify_actions(config, cycle.state, report, cycle.heal, cycle.now);
    observe_streaks(history, report.packages);
    explain_stale(report);
    annotate_from_agent_view(seen, report);
    return judged;
}

// One planned package's heal: its files quarantined, the history and the decision updated.
void heal_package(CycleRun& cycle, const HealTarget& package, HealDecision& decision) {
    const std::string& id = package.id;
    HealHistory& history = cycle.state.history();
    const HealActionOutcome outcome = cycle.healer.heal(package, decision.reason, cycle.now);
    PackageHistory& entry = history.packages[id];
    ++entry.attempts;
    decision.action_id = outcome.action_id;
    if (outcome.done) {
        decision.state = HealState::done;
        decision.reason = outcome.detail;
        entry.awaiting_action = outcome.action_id;
        entry.cycles_since_heal = 0;
        entry.stale_streak = 0;
        history.heals.push_back(cycle.now);
        cycle.done_actions.push_back(outcome.action_id);
    } else {
        decision.state = HealState::failed;
        decision.reason = outcome.detail;
        entry.heal_failed = entry.attempts >= cycle.config.heal.max_attempts;
    }
    cycle.heal.actions.push_back({outcome.action_id, id, outcome.files,
                                  outcome.done ? ActionOutcome::done : ActionOutcome::failed,
                                  outcome.detail});
}

// Act: the agent's policies refreshed (procedure 1, before acl.repair edits a DACL the agent
// manages), ACLs repaired, the planned packages healed, the agent asked to re-report once, the
// fleet row sent.
void act_on_judgement(CycleRun& cycle, Observation& seen, CycleJudgement& judged) {
    const Config& config = cycle.config;
    const CycleOptions& options = cycle.options;
    CheckReport& report = seen.report;
    HealHistory& history = cycle.state.history();
    HealReport& heal = cycle.heal;
    {
        HealConfig policy = config.heal;
        policy.policy_refresh = policy.policy_refresh && (options.heal || options.dry_run);
        heal.policy_refresh = run_policy_refresh(
            policy,
            {report.diagnosis == Cause::credential_not_applied, report.diagnosis_summary,
             !repairable_roots(config, judged.acl).empty(), options.dry_run},
            history, cycle.state.journal(), cycle.agent, cycle.now);
    }
    repair_acls(config, judged.acl, cycle.state, heal, options.dry_run, cycle.now);

    HealPlan plan = plan_heal(report.packages, history, config.heal, judged.gates, cycle.now);
    heal.breaker = plan.breaker;
    heal.budget_left_today = plan.budget_left_today;
    for (const auto& id : plan.to_heal) {
        HealDecision& decision = plan.decisions[id];
        if (options.dry_run) {
            heal.actions.push_back({"", id, {}, ActionOutcome::planned, decision.reason});
            continue;
        }
        if (!options.heal) {
            decision.state = HealState::blocked;
            decision.reason = "every guard holds, but heal is disabled (heal.enabled)";
            continue;
        }
        if (const auto local = seen.local->packages.find(id); local != seen.local->packages.end()) {
            heal_package(cycle,
                         HealTarget{id, seen.local->delivery_dir(id, local->second),
                                    seen.local->status_dir(id, local->second)},
                         decision);
        }
    }
    if (!cycle.done_actions.empty()) {
        // Once, after every file of this cycle has moved.
        const RefreshOutcome refreshed =
            trigger_refresh(config.heal, cycle.agent, cycle.state.journal(), cycle.done_actions,
                            cycle.state.path() / "refresh.out", cycle.now, options.stop);
        heal.refresh = refreshed.summary();
        heal.refresh_steps = refreshed.steps;
    }
    heal.decisions = std::move(plan.decisions);
    if (config.smp_report.enabled && !options.dry_run) {
        report.smp_report = send_fleet_status(
            config, fleet_status(config, report, heal, cycle.state.journal(), cycle.now), history,
            cycle.agent, cycle.now);
    }
}

// Persist: psguard's own state saved (a dry run keeps its observations too, so repeated dry
// runs show when the guards would let a heal through), the quarantine pruned, what could not be
// saved and what the journal noticed told as findings, the report kept.
CheckReport persist_cycle(CycleRun& cycle, CheckReport report) {
    StateDir& state = cycle.state;
    const auto note_if_not_saved = [&](const Status& saved) {
        if (!saved) {
            report.findings.push_back(Finding{FindingKind::state_not_saved,
                                              path_to_utf8(state.path()), saved.error().message,
                                              true});
        }
    };
    state.history().prune(cycle.now);
    note_if_not_saved(state.save_evidence());
    note_if_not_saved(state.save_history());
    if (!cycle.options.dry_run) {
        cycle.healer.prune_quarantine(cycle.now);
    }
    note_if_not_saved(state.journal().save_index());
    // A torn journal line cut off, a record not written: the operator hears of each.
    for (auto& notice : state.journal().take_notices()) {
        report.findings.push_back(Finding{finding_kind(notice.kind),
                                          path_to_utf8(state.journal().file()),
                                          std::move(notice.detail), true});
    }
    report.heal = std::move(cycle.heal);
    note_if_not_saved(state.save_last_report(to_json(report)));
    return report;
}

}  // namespace

CheckReport run_check_cycle(const Config& config, NsClient& ns, AgentAutomation* agent) {
    std::unique_ptr<AgentAutomation> own_agent;
    if (agent == nullptr) {
        own_agent = make_agent_automation(config.heal.refresh_timeout);
        agent = own_agent.get();
    }
    // A one-shot check keeps no state: the agent's log is read from the start (within the
    // per-cycle read budget).
    EvidenceState evidence(config.evidence);
    Observation seen = observe(config, ns, *agent, evidence, {}, nullptr, {});
    if (seen.answer) {
        seen.report.packages = reconcile(*seen.local, *seen.answer, {});
        explain_stale(seen.report);
    }
    annotate_from_agent_view(seen, seen.report);
    return std::move(seen.report);
}

CheckReport run_cycle(const Config& config, NsClient& ns, StateDir& state,
                      const CycleOptions& options, TimePoint now) {
    std::unique_ptr<AgentAutomation> own_agent;
    AgentAutomation* agent = options.agent;
    if (agent == nullptr) {
        own_agent = make_agent_automation(config.heal.refresh_timeout);
        agent = own_agent.get();
    }
    CycleRun cycle{config, state,  options,
                   now,    *agent, Healer(config.paths, config.heal, state.journal()),
                   {},     {}};
    recover_interrupted_actions(cycle);
    Observation seen = observe_for_cycle(cycle, ns);
    CycleJudgement judged = judge_cycle(cycle, seen);
    act_on_judgement(cycle, seen, judged);
    return persist_cycle(cycle, std::move(seen.report));
}

}  // namespace psguard
