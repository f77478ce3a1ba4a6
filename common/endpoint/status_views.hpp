// What the routes show, built from the agent's snapshot and its typed report: the JSON documents
// of /v1/status, /v1/packages, /v1/journal, and the metric families of /metrics. Pure functions of
// their arguments; the shapes are documented in docs/endpoint.md.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/agent_snapshot.hpp"
#include "cycle/check_report.hpp"
#include "endpoint/metrics_text.hpp"

namespace psguard {

// The server's own counters, shown under psguard_endpoint_* in /metrics.
struct EndpointStats {
    std::size_t open_connections = 0;
    std::uint64_t connections_total = 0;
    std::uint64_t connections_refused_total = 0;     // over endpoint.max_connections
    std::uint64_t bad_requests_total = 0;            // malformed or over a limit
    std::uint64_t timeouts_total = 0;                // dropped for not finishing a request in time
    std::uint64_t requests_total = 0;                // requests answered by a route
    std::uint64_t accept_errors_total = 0;           // accept() failed (out of descriptors, ...)
    std::uint64_t idle_closed_total = 0;             // idle connections closed for a newcomer
    std::uint64_t tls_handshake_failures_total = 0;  // TLS handshakes failed or timed out
    std::optional<TimePoint> certificate_expiry;     // with TLS: the certificate's notAfter
};

// "healthy", "findings", "ns_unusable", or "exit_<n>" for any other exit code.
std::string cycle_result_name(int exit_code);

// Whether the credential account holds its rights, as /v1/status, the page, the log and
// psguard_acl_ok show it.
struct AclSummary {
    std::optional<bool> ok;             // nullopt: the cycle did not (or could not) check the ACLs
    std::vector<std::string> problems;  // folders lacking rights, once each
    std::string account;                // whom the check was for (its display name); empty: unknown
    std::string note;                   // why not (everything) was checked
};
AclSummary acl_summary(const CheckReport* report);

nlohmann::json status_json(const AgentSnapshot& snapshot, TimePoint now);
// {"as_of": packages_as_of(snapshot), "packages": [report_json::package(report, package)...]}.
nlohmann::json packages_json(const AgentSnapshot& snapshot);
nlohmann::json packages_as_of(const AgentSnapshot& snapshot);
// The package whose id is `id` once normalised (any case, braces optional); nullopt when `id`
// is not a GUID or the last cycle did not see the package.
std::optional<nlohmann::json> package_json(const AgentSnapshot& snapshot, std::string_view id);
nlohmann::json journal_json(const AgentSnapshot& snapshot);

// `snapshot` null: only the endpoint's own metrics (the agent has published nothing yet).
std::vector<MetricFamily> status_metrics(const AgentSnapshot* snapshot, const EndpointStats& stats);
// The two halves of status_metrics: what a snapshot fixes, and the server's counters.
std::vector<MetricFamily> snapshot_metrics(const AgentSnapshot& snapshot);
std::vector<MetricFamily> endpoint_metrics(const EndpointStats& stats);

}  // namespace psguard
