#include "endpoint/rendered_documents.hpp"

#include <algorithm>
#include <stdexcept>
#include <string_view>

#include "cycle/check_report.hpp"
#include "endpoint/metrics_text.hpp"

namespace psguard {
namespace {

// /v1/status rendered with the uptime at 0: the member sorts last but one ("version" follows), so
// the last occurrence of this text is that member (a quote inside a string value is escaped).
constexpr std::string_view kUptimeMember = "\"uptime_seconds\":";
constexpr std::string_view kUptimeAtZero = "\"uptime_seconds\":0,";

// /v1/status with the uptime at 0, rendered once per snapshot.
const std::string& cached_status_at_zero_uptime(const AgentSnapshot& snapshot) {
    return snapshot.rendered.get(RenderCache::status, [&snapshot] {
        return json_body(status_json(snapshot, snapshot.started));
    });
}

// The snapshot's metric families (the endpoint's own follow per request), rendered once.
const std::string& cached_snapshot_metrics(const AgentSnapshot& snapshot) {
    return snapshot.rendered.get(
        RenderCache::metrics, [&snapshot] { return render_metrics(snapshot_metrics(snapshot)); });
}

// Compact, invalid UTF-8 replaced: the form of every JSON document the endpoint sends.
std::string compact_json(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// json_body(packages_json(snapshot)), one package at a time: a compact array is its elements'
// texts joined by commas, and "as_of" sorts before "packages" as nlohmann::json orders members.
// The whole document's tree would hold every package at once (about 25 MB for 10,000 packages,
// against the 3 MB of text it renders to).
std::string render_packages(const AgentSnapshot& snapshot) {
    std::string body = "{\"as_of\":" + compact_json(packages_as_of(snapshot)) + ",\"packages\":[";
    if (snapshot.report) {
        bool first = true;
        for (const auto& package : snapshot.report->packages) {
            if (!first) {
                body += ',';
            }
            first = false;
            body += compact_json(report_json::package(*snapshot.report, package));
        }
    }
    body += "]}\n";
    return body;
}

}  // namespace

std::string json_body(const nlohmann::json& document) {
    return compact_json(document) + '\n';
}

std::string status_body(const AgentSnapshot& snapshot, TimePoint now) {
    const std::string& rendered = cached_status_at_zero_uptime(snapshot);
    const std::size_t at = rendered.rfind(kUptimeAtZero);
    if (at == std::string::npos) {
        throw std::logic_error("the rendered status has no uptime_seconds member");
    }
    const std::size_t value = at + kUptimeMember.size();
    const auto uptime = std::max<std::int64_t>(0, (now - snapshot.started).count());
    std::string body;
    body.reserve(rendered.size() + 20);
    body.append(rendered, 0, value);
    body += std::to_string(uptime);
    body.append(rendered, value + 1);  // after the "0"
    return body;
}

const std::string& packages_body(const AgentSnapshot& snapshot) {
    return snapshot.rendered.get(RenderCache::packages,
                                 [&snapshot] { return render_packages(snapshot); });
}

const std::string& journal_body(const AgentSnapshot& snapshot) {
    return snapshot.rendered.get(RenderCache::journal,
                                 [&snapshot] { return json_body(journal_json(snapshot)); });
}

std::string metrics_body(const AgentSnapshot* snapshot, const EndpointStats& stats) {
    // status_metrics is the snapshot's families followed by the endpoint's, and the exposition
    // of a list of families is the concatenation of theirs.
    std::string body;
    if (snapshot != nullptr) {
        body = cached_snapshot_metrics(*snapshot);
    }
    return body + render_metrics(endpoint_metrics(stats));
}

void render_document(const AgentSnapshot& snapshot, RenderCache::Document document) {
    switch (document) {
        case RenderCache::status:
            cached_status_at_zero_uptime(snapshot);
            return;
        case RenderCache::packages:
            packages_body(snapshot);
            return;
        case RenderCache::metrics:
            cached_snapshot_metrics(snapshot);
            return;
        case RenderCache::journal:
            journal_body(snapshot);
            return;
        case RenderCache::kDocuments:
            break;
    }
    throw std::logic_error("no such rendered document");
}

}  // namespace psguard
