// What an evidence item is a symptom of: a row of the log signature table (log_signatures.cpp),
// the event queue's state, or an NS error text that no signature matches. Typed inside psguard;
// its text is what the reports, the metrics (psguard_evidence_total{kind}) and the state show.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace psguard {

enum class EvidenceKind {
    // The signatures, in the table's match order.
    package_server_not_started,
    trust_failure,
    unauthorized,
    access_denied,
    file_locked,
    path_too_long,
    server_busy,
    version_older,
    partial_data,
    snapshot_error,
    download_error,
    // The event queue (diagnosis.cpp's queue_evidence).
    queue_blocked,
    queue_disabled,
    queue_backlog,
    // An NS error text no signature matches. Stays last (the check below relies on it).
    ns_reported_error,
};

// Every kind, in declaration order (parse_evidence_kind tries each).
inline constexpr std::array kAllEvidenceKinds = {
    EvidenceKind::package_server_not_started,
    EvidenceKind::trust_failure,
    EvidenceKind::unauthorized,
    EvidenceKind::access_denied,
    EvidenceKind::file_locked,
    EvidenceKind::path_too_long,
    EvidenceKind::server_busy,
    EvidenceKind::version_older,
    EvidenceKind::partial_data,
    EvidenceKind::snapshot_error,
    EvidenceKind::download_error,
    EvidenceKind::queue_blocked,
    EvidenceKind::queue_disabled,
    EvidenceKind::queue_backlog,
    EvidenceKind::ns_reported_error,
};

// The name in the reports, the metric label and the state folder.
constexpr const char* to_string(EvidenceKind kind) {
    switch (kind) {
        case EvidenceKind::package_server_not_started:
            return "package_server_not_started";
        case EvidenceKind::trust_failure:
            return "trust_failure";
        case EvidenceKind::unauthorized:
            return "unauthorized";
        case EvidenceKind::access_denied:
            return "access_denied";
        case EvidenceKind::file_locked:
            return "file_locked";
        case EvidenceKind::path_too_long:
            return "path_too_long";
        case EvidenceKind::server_busy:
            return "server_busy";
        case EvidenceKind::version_older:
            return "version_older";
        case EvidenceKind::partial_data:
            return "partial_data";
        case EvidenceKind::snapshot_error:
            return "snapshot_error";
        case EvidenceKind::download_error:
            return "download_error";
        case EvidenceKind::queue_blocked:
            return "queue_blocked";
        case EvidenceKind::queue_disabled:
            return "queue_disabled";
        case EvidenceKind::queue_backlog:
            return "queue_backlog";
        case EvidenceKind::ns_reported_error:
            break;
    }
    return "ns_reported_error";
}

// The kind whose to_string is `text`; nullopt for any other text (the caller names the field).
constexpr std::optional<EvidenceKind> parse_evidence_kind(std::string_view text) {
    for (const EvidenceKind kind : kAllEvidenceKinds) {
        if (text == to_string(kind)) {
            return kind;
        }
    }
    return std::nullopt;
}

// Each kind listed, in declaration order: one missing from the list would never parse back.
static_assert([] {
    for (std::size_t i = 0; i < kAllEvidenceKinds.size(); ++i) {
        if (static_cast<std::size_t>(kAllEvidenceKinds[i]) != i) {
            return false;
        }
    }
    return kAllEvidenceKinds.back() == EvidenceKind::ns_reported_error;
}());

}  // namespace psguard
