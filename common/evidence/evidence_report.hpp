// Evidence: one symptom psguard found and can cite (a log event, a queue backlog), and the
// bounded collection of them that a report shows: the newest N per kind, a count of all.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "evidence/evidence_kind.hpp"

namespace psguard {

struct Evidence {
    EvidenceKind kind = EvidenceKind::ns_reported_error;  // a signature's, or the queue's
    std::string time;     // as the agent wrote it ("May 16 11:51:05"), or ISO-8601 UTC
    std::string source;   // the event's source attribute ("EventTransport"), or "Queue"
    std::string message;  // at most kMaxEvidenceMessageBytes
    std::string where;    // "<file>:<byte offset>", or a folder
    std::optional<std::string> package;  // "{guid}" named by the message
    std::optional<std::string> path;     // the path the message names (for the diagnosis)
    std::uint64_t sequence = 0;          // order of discovery: higher is newer
    std::chrono::system_clock::time_point observed{};  // when psguard read it

    friend bool operator==(const Evidence&, const Evidence&) = default;
};

inline constexpr std::size_t kMaxEvidenceMessageBytes = 1024;

// Cuts at a UTF-8 character boundary and marks the cut with "...".
std::string bound_message(std::string_view message);

// What the agent loop keeps across cycles: the newest items per kind and a monotonic count per
// kind (psguard_evidence_total{kind}).
class EvidenceReport {
  public:
    explicit EvidenceReport(std::size_t max_items_per_kind = 20);

    // Takes the next sequence number; drops the oldest item of the kind beyond the bound.
    void add(Evidence evidence);

    // Forgets items observed before `cutoff` (a fixed problem stops being cited); the counts
    // stay, being counters.
    void prune_observed_before(std::chrono::system_clock::time_point cutoff);

    // Every kept item, oldest first (the order of the rendered "evidence" array).
    std::vector<Evidence> items() const;
    const std::map<EvidenceKind, std::uint64_t>& totals() const noexcept { return totals_; }
    std::size_t max_items_per_kind() const noexcept { return max_items_per_kind_; }

    // State for the agent loop's state folder (observed times as Unix seconds).
    nlohmann::json to_state_json() const;
    static Result<EvidenceReport> from_state_json(const nlohmann::json& json,
                                                  std::size_t max_items_per_kind);

  private:
    std::size_t max_items_per_kind_;
    std::uint64_t next_sequence_ = 1;
    std::map<EvidenceKind, std::vector<Evidence>> items_;  // per kind, oldest first
    std::map<EvidenceKind, std::uint64_t> totals_;
};

// {"kind", "time", "source", "message", "where", "package"}: package is the GUID, else the path
// the message names, else null.
nlohmann::json evidence_to_json(const Evidence& evidence);

struct EvidenceCount {
    std::uint64_t total = 0;  // found since start (never fewer than shown)
    std::uint64_t shown = 0;  // among `items`
};

// Per kind, of every kind shown or counted: psguard_evidence_total{kind} and "evidence_counts".
std::map<EvidenceKind, EvidenceCount> evidence_counts(
    std::span<const Evidence> items, const std::map<EvidenceKind, std::uint64_t>& totals);

// {"evidence": [...], "evidence_counts": {"<kind>": {"total": n, "shown": m}}}. `items` is
// rendered in the order given, so a Diagnosis's indices refer to this array.
nlohmann::json render_evidence(std::span<const Evidence> items,
                               const std::map<EvidenceKind, std::uint64_t>& totals);

}  // namespace psguard
