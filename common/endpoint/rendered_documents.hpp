// The bytes the JSON routes and /metrics send, rendered once per published snapshot and then
// served from its RenderCache: a request costs a copy and, for /v1/status and /metrics, the splice
// of what changes without a cycle (the uptime; the endpoint's own counters). The bytes are those
// of the views in status_views.hpp, exactly.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "agent/agent_snapshot.hpp"
#include "core/utc_time.hpp"
#include "endpoint/status_views.hpp"

namespace psguard {

// A JSON document as the endpoint sends it: compact, a final newline, invalid UTF-8 (report
// strings come from file names and logs) replaced, never thrown on.
std::string json_body(const nlohmann::json& document);

// json_body(status_json(snapshot, now)).
std::string status_body(const AgentSnapshot& snapshot, TimePoint now);
// json_body(packages_json(snapshot)), json_body(journal_json(snapshot)).
const std::string& packages_body(const AgentSnapshot& snapshot);
const std::string& journal_body(const AgentSnapshot& snapshot);
// render_metrics(status_metrics(snapshot, stats)); `snapshot` null: the endpoint's metrics only.
std::string metrics_body(const AgentSnapshot* snapshot, const EndpointStats& stats);

// Renders `document` into the snapshot's RenderCache unless it is there already: the costly part
// of the first request for it, which the status server runs off its strand. Throws what the
// render throws (nothing is cached then).
void render_document(const AgentSnapshot& snapshot, RenderCache::Document document);

}  // namespace psguard
