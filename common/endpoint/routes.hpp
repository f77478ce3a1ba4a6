// The status endpoint's routes as a pure function: a parsed request in, a response out. No
// sockets here, so every route and status code is testable directly (tests/unit); the server
// (status_server.cpp) only parses, enforces transport limits and writes.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/agent_snapshot.hpp"
#include "core/utc_time.hpp"
#include "endpoint/status_views.hpp"

namespace psguard {

struct Request {
    std::string method;                        // "GET", "HEAD", "POST", ... as sent
    std::string target;                        // origin form: "/v1/status?x=1"
    std::optional<std::string> authorization;  // the Authorization header, if sent
};

struct Response {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // Allow, WWW-Authenticate, ...
};

struct RouteOptions {
    // The bearer token; nullopt when none is configured, which disables POST /v1/check (403).
    std::optional<std::string> token;
    // Bound beyond loopback: every route but /healthz asks for the token too.
    bool token_for_reads = false;
};

// The path of an origin-form target ("/v1/status?x=1"), without its query.
inline std::string_view target_path(std::string_view target) {
    return target.substr(0, target.find('?'));
}

// HEAD is answered as GET, body included: the server sends only its length.
Response handle(const Request& request, AgentControl& agent, const RouteOptions& options,
                TimePoint now, const EndpointStats& stats = {});

// A document of the snapshot that a request is answered from, not rendered yet.
struct PendingRender {
    std::shared_ptr<const AgentSnapshot> snapshot;
    RenderCache::Document document;
};

// What handle() would render before answering `request`: for an allowed GET or HEAD of
// /v1/status, /v1/packages, /v1/journal or /metrics, the document agent.snapshot() has not
// rendered yet; nullopt otherwise, refusals included. The server renders it off its strand
// (render_document), then calls handle() with an agent giving the same snapshot, which then only
// copies and splices. Never throws: when reading the snapshot throws, handle() answers that.
std::optional<PendingRender> pending_render(const Request& request, AgentControl& agent,
                                            const RouteOptions& options);

// {"error": message} with `status`; for the server's own refusals (400, 413, 431, 503) too.
Response error_response(unsigned status, const std::string& message);

}  // namespace psguard
