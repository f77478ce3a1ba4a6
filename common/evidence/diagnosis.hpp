// Which of the KB's causes the evidence points to, as a pure function of what the check cycle
// knows: does the credential account resolve, does its ACL check pass, what the agent's log and
// event queue show. The rules are listed in docs/evidence.md, in the order applied here.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "evidence/event_queue_reader.hpp"
#include "evidence/evidence_report.hpp"

namespace psguard {

enum class Cause { credential_not_applied, acl_missing, status_not_delivered, unknown };

std::string_view to_string(Cause cause);

struct QueueThresholds {
    std::chrono::minutes backlog_age{60};
    std::size_t backlog_files = 50;
};

// The queue's symptoms as evidence, per NS folder: "queue_blocked" (events not sent: the agent
// is not registered), "queue_disabled" (NSEs disabled on the agent), "queue_backlog" (at least
// backlog_files waiting, the oldest waiting over backlog_age, or more waiting than at the
// previous cycle while its oldest event is still there). A fresh snapshot each cycle: not meant
// for EvidenceReport::add.
std::vector<Evidence> queue_evidence(const QueueSummary& now,
                                     const std::optional<QueueSummary>& previous,
                                     const QueueThresholds& thresholds);

struct DiagnosisInput {
    std::optional<bool> account_resolved;  // nullopt: not checked (or no account configured)
    std::optional<bool> acl_ok;            // nullopt: the ACL check did not run
    // Package Delivery and PackageStatus (and allow-listed storage roots): access denied on a
    // path under one of them (or on a folder above one, which the agent creates on the way)
    // is an ACL symptom.
    std::vector<std::filesystem::path> package_roots;
    std::span<const Evidence> evidence;
};

struct Diagnosis {
    Cause cause = Cause::unknown;
    std::string summary;                // one sentence
    std::vector<std::size_t> evidence;  // indices into DiagnosisInput::evidence
};

Diagnosis diagnose(const DiagnosisInput& input);

// {"cause", "summary", "evidence": [indices]}
nlohmann::json diagnosis_to_json(const Diagnosis& diagnosis);

// Whether `path` lies under `root` or is a folder above it, comparing as Windows does
// (case-insensitively, '/' and '\' alike, "\\?\" ignored) on every platform, so that a
// Windows agent's messages are judged the same wherever the test runs. Both UTF-8.
bool path_relates_to_root(std::string_view path, std::string_view root);

}  // namespace psguard
