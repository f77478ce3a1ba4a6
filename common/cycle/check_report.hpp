// The result of one read-only check cycle, and its two renderings: JSON for tools, a table for
// the administrator at the console.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "acl/acl_inspector.hpp"
#include "evidence/diagnosis.hpp"
#include "evidence/evidence_cycle.hpp"
#include "heal/heal_planner.hpp"
#include "heal/healer.hpp"
#include "heal/journal.hpp"
#include "heal/policy_refresh.hpp"
#include "heal/refresh_trigger.hpp"
#include "local/local_state.hpp"
#include "ns/ns_client.hpp"
#include "reconcile/verdict.hpp"

namespace psguard {

struct NsStatus {
    std::string url;
    bool reachable = false;  // an HTTP answer came back
    bool usable = false;     // ... and it was a complete, well-formed report
    std::optional<NsFailure> failure;
    std::string error;
    std::optional<std::size_t> rows;
    int attempts = 0;
};

// What a finding is about: the local tree's scan, the journal, the ACL check, the agent's own
// view, the NS answer or the state folder.
enum class FindingKind {
    unexpected_entry,
    reparse_point,
    followed_link,
    duplicate_package,
    root_missing,
    root_unreadable,
    journal_repaired,
    journal_not_written,
    credential_account_unresolved,
    acl_missing_rights,
    agent_view_unavailable,
    agent_view_disagrees,
    ns_lists_no_package,
    state_not_saved,
};

// The name in the report's "findings" and at the console.
constexpr const char* to_string(FindingKind kind) {
    switch (kind) {
        case FindingKind::unexpected_entry:
            return "unexpected_entry";
        case FindingKind::reparse_point:
            return "reparse_point";
        case FindingKind::followed_link:
            return "followed_link";
        case FindingKind::duplicate_package:
            return "duplicate_package";
        case FindingKind::root_missing:
            return "root_missing";
        case FindingKind::root_unreadable:
            return "root_unreadable";
        case FindingKind::journal_repaired:
            return "journal_repaired";
        case FindingKind::journal_not_written:
            return "journal_not_written";
        case FindingKind::credential_account_unresolved:
            return "credential_account_unresolved";
        case FindingKind::acl_missing_rights:
            return "acl_missing_rights";
        case FindingKind::agent_view_unavailable:
            return "agent_view_unavailable";
        case FindingKind::agent_view_disagrees:
            return "agent_view_disagrees";
        case FindingKind::ns_lists_no_package:
            return "ns_lists_no_package";
        case FindingKind::state_not_saved:
            break;
    }
    return "state_not_saved";
}

// The finding a scan's or the journal's own kind becomes (its text stays the same).
constexpr FindingKind finding_kind(ScanFindingKind kind) {
    switch (kind) {
        case ScanFindingKind::unexpected_entry:
            return FindingKind::unexpected_entry;
        case ScanFindingKind::reparse_point:
            return FindingKind::reparse_point;
        case ScanFindingKind::followed_link:
            return FindingKind::followed_link;
        case ScanFindingKind::duplicate_package:
            return FindingKind::duplicate_package;
        case ScanFindingKind::root_missing:
            return FindingKind::root_missing;
        case ScanFindingKind::root_unreadable:
            break;
    }
    return FindingKind::root_unreadable;
}

constexpr FindingKind finding_kind(JournalNoticeKind kind) {
    return kind == JournalNoticeKind::repaired ? FindingKind::journal_repaired
                                               : FindingKind::journal_not_written;
}

// Something about the server as a whole rather than one package.
struct Finding {
    FindingKind kind = FindingKind::unexpected_entry;
    std::string path;
    std::string detail;
    bool problem = true;  // false: reported for information, does not make the check fail
};

// What became of a heal action this cycle.
enum class ActionOutcome { planned, done, failed };
const char* to_string(ActionOutcome outcome);  // the name in the report and the metrics

// One action taken (or planned, in a dry run) this cycle.
struct ActionReport {
    std::string id;  // empty in a dry run
    std::string package;
    std::vector<std::string> files;
    ActionOutcome result = ActionOutcome::planned;
    std::string detail;
};

// One ACL repair (acl.repair) of a root this cycle, or its verification by this cycle's check.
struct AclRepairReport {
    std::string id;  // empty when planned or skipped
    std::string path;
    std::string result;  // "planned", "done", "failed", "skipped", "verified", "verify_failed"
    std::string detail;
};

// What the heal phase of a cycle decided and did; absent when the cycle did not heal.
struct HealReport {
    bool dry_run = false;
    std::optional<std::string> breaker;
    int budget_left_today = 0;
    std::map<std::string, HealDecision> decisions;  // by package id
    std::vector<ActionReport> actions;
    std::vector<RecoveryOutcome> recovered;  // interrupted actions completed at start
    std::vector<std::string> verified;       // actions whose package turned healthy
    std::vector<std::string> verify_failed;
    std::string refresh;                     // outcome of the re-report trigger
    std::vector<RefreshStep> refresh_steps;  // each trigger tried, in order
    std::vector<AclRepairReport> acl_repairs;
    std::optional<PolicyRefreshReport> policy_refresh;  // Procedure 1 (heal.policy_refresh)
};

// The agent's own view of its packages this cycle (local.agent_view, Windows).
struct AgentViewReport {
    bool read = false;
    std::string note;  // why not read (then the files alone were used), or what was skipped
    std::size_t packages = 0;
    std::size_t custom_location = 0;  // packages whose files live outside Package Delivery
    std::size_t disagreements = 0;    // Ready-ness differs from PackageStatus.xml
    std::size_t used_for_unreadable = 0;
};

// The fleet status NSE this cycle (smp_report, Windows).
struct SmpReportOutcome {
    std::string result;  // "sent", "failed", "not_due"
    std::string detail;
    std::optional<std::int32_t> hresult;
    std::optional<TimePoint> last_success;
};

struct CheckReport {
    std::string server;
    NsStatus ns;
    std::vector<PackageVerdict> packages;
    std::vector<Finding> findings;
    std::optional<AclReport> acl;                 // absent: not checked
    std::optional<EvidenceCycleResult> evidence;  // absent: not read
    Cause diagnosis = Cause::unknown;
    std::string diagnosis_summary;
    std::optional<HealReport> heal;
    std::optional<AgentViewReport> agent_view;  // absent: not read (off, or not this platform)
    std::optional<SmpReportOutcome> smp_report;

    std::map<std::string, std::size_t> summary() const;  // verdict -> count
    // 0 all healthy, 1 findings, 3 NS unreachable or its answer unusable.
    int exit_code() const;
};

inline constexpr int kExitHealthy = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitNsUnusable = 3;
inline constexpr int kExitAgentDown = 4;  // `psguard status`: no agent answered, or unhealthy

// JSON only where the report leaves the process: `check --json`, the endpoint's documents,
// last-report.json, the support bundle.
nlohmann::json to_json(const CheckReport& report);

// Parts of to_json(report), the same values, for the documents that repeat them (/v1/status,
// /v1/packages).
namespace report_json {
nlohmann::json package(const CheckReport& report, const PackageVerdict& package);
nlohmann::json summary(const CheckReport& report);  // {"<verdict>": count}
nlohmann::json ns(const NsStatus& ns);
nlohmann::json heal(const HealReport& heal);
nlohmann::json evidence(const CheckReport& report);   // the "evidence" array
nlohmann::json diagnosis(const CheckReport& report);  // {"cause", "summary", "evidence"}
nlohmann::json agent_view(const AgentViewReport& view);
nlohmann::json smp_report(const SmpReportOutcome& smp);
}  // namespace report_json

struct TableOptions {
    bool all = false;     // every package, one line each; else only those that need attention
    bool colour = false;  // ANSI colours: the caller decides (a terminal, NO_COLOR unset)
    std::size_t width = 120;
};

// For the console: the summary and the diagnosis first, then the packages that need attention
// grouped by verdict and reason (a reason shared by many packages folded into one line), then
// findings, ACL and heal. Lines stay within `width` characters.
std::string to_table(const CheckReport& report, const TableOptions& options = {});

}  // namespace psguard
