// One evidence pass of the check cycle: read what the agent logged since the last pass, count
// its event queue, and diagnose. The state it keeps (log cursors, kept evidence, the previous
// queue count) serialises to JSON for the agent loop's state folder.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "evidence/agent_log_reader.hpp"
#include "evidence/diagnosis.hpp"
#include "evidence/event_queue_reader.hpp"
#include "evidence/evidence_config.hpp"
#include "evidence/evidence_report.hpp"

namespace psguard {

// When the agent logged an event, from its date ("May 16 11:51:05": no year, local time): the
// latest such moment not after `now` (plus a day of slack for time zones), the local time
// taken as UTC. nullopt when the date does not parse.
std::optional<std::chrono::system_clock::time_point> estimate_event_time(
    std::string_view date, std::chrono::system_clock::time_point now);

// A log event as evidence when a signature matches it: where = "<file>:<offset>", the package
// GUID and path the message names, the message bounded; observed = the event's estimated time
// (never after `observed`), so that old events age out of the report by their own date.
std::optional<Evidence> evidence_from_event(const LogEvent& event,
                                            std::chrono::system_clock::time_point observed);

// The agent's error text the NS keeps for one package (the report's ns.columns.error column).
struct NsReportedError {
    std::string package;  // "{guid}"
    std::string text;
};

// The NS's error texts as evidence of this pass: the kind of the signature the text matches
// (as for the agent's log), else "ns_reported_error"; source "NS". Not kept across passes: the
// NS answers them afresh every cycle.
std::vector<Evidence> ns_error_evidence(const std::vector<NsReportedError>& errors,
                                        std::chrono::system_clock::time_point now);

// What survives from one pass to the next (and across restarts, through to_json/from_json).
class EvidenceState {
  public:
    explicit EvidenceState(const EvidenceConfig& config);

    AgentLogReader& reader() noexcept { return reader_; }
    EvidenceReport& report() noexcept { return report_; }
    const EvidenceReport& report() const noexcept { return report_; }
    const std::optional<QueueSummary>& previous_queue() const noexcept { return previous_queue_; }
    void set_previous_queue(std::optional<QueueSummary> queue) {
        previous_queue_ = std::move(queue);
    }

    // {"version": 1, "log_cursors": {...}, "evidence": {...}}. The previous queue count is not
    // kept: after a restart, growth is judged from the second pass on.
    nlohmann::json to_json() const;
    static Result<EvidenceState> from_json(const nlohmann::json& json,
                                           const EvidenceConfig& config);

  private:
    AgentLogReader reader_;
    EvidenceReport report_;
    std::optional<QueueSummary> previous_queue_;
};

struct EvidenceCycleInput {
    std::optional<bool> account_resolved;
    std::optional<bool> acl_ok;
    std::vector<std::filesystem::path> package_roots;  // Package Delivery, PackageStatus
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
    // Evidence from up to this moment is still shown, but no longer drives the diagnosis: the
    // cause it pointed to has been fixed since (the last cycle whose ACL check failed).
    std::optional<std::chrono::system_clock::time_point> settled_before;
    std::vector<NsReportedError> ns_errors;
};

struct EvidenceCycleResult {
    std::vector<Evidence>
        items;  // kept log evidence (oldest first), then this pass's queue findings
    std::map<EvidenceKind, std::uint64_t> totals;  // psguard_evidence_total{kind}
    Diagnosis diagnosis;
    std::optional<LogReadStats> log;    // nullopt: not read (no folder, or it failed)
    std::optional<QueueSummary> queue;  // psguard_event_queue_files{state}
    std::vector<std::string> problems;  // why something could not be read

    // The items the diagnosis cites, in its order (indices out of range skipped).
    std::vector<const Evidence*> cited() const;

    // {"evidence": [...], "evidence_counts": {...}, "diagnosis": {...}, "event_queue": {...} |
    //  null, "evidence_problems": [...]}
    nlohmann::json to_json() const;
};

EvidenceCycleResult run_evidence_cycle(EvidenceState& state, const EvidenceConfig& config,
                                       const EvidenceCycleInput& input);

}  // namespace psguard
