#include "endpoint/routes.hpp"

#include <array>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/ascii.hpp"
#include "endpoint/base64.hpp"
#include "endpoint/metrics_text.hpp"
#include "endpoint/rendered_documents.hpp"
#include "endpoint/status_page.hpp"
#include "endpoint/token_file.hpp"

namespace psguard {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kPackagesPrefix = "/v1/packages/";

// A rendered JSON document (json_body).
Response rendered_response(std::string body) {
    Response response;
    response.body = std::move(body);
    return response;
}

Response json_response(unsigned status, const Json& body) {
    Response response = rendered_response(json_body(body));
    response.status = status;
    return response;
}

int hex_digit_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// "%7B...%7D" -> "{...}"; nullopt for a broken escape.
std::optional<std::string> percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        if (i + 2 >= text.size()) {
            return std::nullopt;
        }
        const int high = hex_digit_value(text[i + 1]);
        const int low = hex_digit_value(text[i + 2]);
        if (high < 0 || low < 0) {
            return std::nullopt;
        }
        out += static_cast<char>(high * 16 + low);
        i += 2;
    }
    return out;
}

// "<scheme> <credentials>": the scheme in any case, then blanks, then the credentials.
std::optional<std::string_view> credentials(const std::optional<std::string>& header,
                                            std::string_view scheme) {
    if (!header) {
        return std::nullopt;
    }
    std::string_view value = *header;
    if (value.size() <= scheme.size() || !ascii_iequals(value.substr(0, scheme.size()), scheme) ||
        (value[scheme.size()] != ' ' && value[scheme.size()] != '\t')) {
        return std::nullopt;
    }
    value.remove_prefix(scheme.size());
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
    }
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
        value.remove_suffix(1);
    }
    return value;
}

// What a browser can send for the page: HTTP Basic with the token as the password (any user
// name), which it asks its user for after a Basic challenge.
std::optional<std::string> basic_password(const std::optional<std::string>& header) {
    const auto encoded = credentials(header, "basic");
    const auto decoded = encoded ? base64_decode(*encoded) : std::nullopt;
    const auto colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos) {
        return std::nullopt;
    }
    return decoded->substr(colon + 1);
}

Response unauthorized(const std::optional<std::string>& header, bool page) {
    Response response = error_response(
        401, header ? (page ? "the token is not valid" : "the bearer token is not valid")
                    : "this route needs \"Authorization: Bearer <token>\" (the endpoint's token "
                      "file; see docs/endpoint.md)");
    if (page) {
        // The browser asks for a user name and password: any name, the token as the password.
        response.headers.emplace_back("WWW-Authenticate",
                                      R"(Basic realm="psguard: the password is the endpoint )"
                                      R"(token", charset="UTF-8")");
        return response;
    }
    response.headers.emplace_back(
        "WWW-Authenticate",
        header ? R"(Bearer realm="psguard", error="invalid_token")" : R"(Bearer realm="psguard")");
    return response;
}

// nullopt: authorised; else the refusal to send. `page`: the HTML page, which also takes the
// token as a Basic password.
std::optional<Response> authorise(const Request& request, const RouteOptions& options,
                                  bool page = false) {
    if (!options.token) {
        return error_response(403, "no endpoint.token_file is configured: this route is disabled");
    }
    const auto bearer = credentials(request.authorization, "bearer");
    if (bearer && tokens_equal(*options.token, *bearer)) {
        return std::nullopt;
    }
    const auto password = page ? basic_password(request.authorization) : std::nullopt;
    if (password && tokens_equal(*options.token, *password)) {
        return std::nullopt;
    }
    return unauthorized(request.authorization, page);
}

Response page_response(const AgentSnapshot& snapshot, TimePoint now) {
    Response response;
    response.content_type = "text/html; charset=utf-8";
    response.body = status_page_html(snapshot, now);
    response.headers.emplace_back("Content-Security-Policy", status_page_csp());
    response.headers.emplace_back("Referrer-Policy", "no-referrer");
    response.headers.emplace_back("X-Frame-Options", "DENY");
    return response;
}

Response method_not_allowed(std::string_view allowed) {
    Response response = error_response(405, "method not allowed; use " + std::string(allowed));
    response.headers.emplace_back("Allow", std::string(allowed));
    return response;
}

Response no_snapshot() {
    Response response = error_response(503, "the agent has not published its state yet");
    response.headers.emplace_back("Retry-After", "5");
    return response;
}

// The snapshot's rendered document a route answers from; nullopt for the routes rendered per
// request or not from the snapshot.
std::optional<RenderCache::Document> route_rendered_document(std::string_view path) {
    if (path == "/v1/status") {
        return RenderCache::status;
    }
    if (path == "/v1/packages") {
        return RenderCache::packages;
    }
    if (path == "/v1/journal") {
        return RenderCache::journal;
    }
    if (path == "/metrics") {
        return RenderCache::metrics;
    }
    return std::nullopt;
}

// The answer for one of the snapshot's rendered documents; /metrics is answered before the first
// snapshot too (psguard_up and the endpoint's own counters).
Response rendered_document_response(RenderCache::Document document, const AgentSnapshot* snapshot,
                                    TimePoint now, const EndpointStats& stats) {
    if (document == RenderCache::metrics) {
        Response response;
        response.content_type = std::string(kMetricsContentType);
        response.body = metrics_body(snapshot, stats);
        return response;
    }
    if (snapshot == nullptr) {
        return no_snapshot();
    }
    switch (document) {
        case RenderCache::status:
            return rendered_response(status_body(*snapshot, now));
        case RenderCache::packages:
            return rendered_response(packages_body(*snapshot));
        case RenderCache::journal:
            return rendered_response(journal_body(*snapshot));
        case RenderCache::metrics:
        case RenderCache::kDocuments:
            break;
    }
    throw std::logic_error("no renderer for rendered document " + std::to_string(document));
}

Response route(const Request& request, AgentControl& agent, const RouteOptions& options,
               TimePoint now, const EndpointStats& stats) {
    if (request.target.empty() || request.target.front() != '/') {
        return error_response(400, "expected a path such as /v1/status");
    }
    const std::string_view path = target_path(request.target);

    const std::optional<RenderCache::Document> rendered = route_rendered_document(path);
    const bool is_package = path.starts_with(kPackagesPrefix);
    const bool is_page = path == "/" || path == "/ui";
    const bool known =
        rendered || is_package || is_page || path == "/healthz" || path == "/v1/check";
    if (!known) {
        return error_response(404, "no such route: " + std::string(path));
    }
    // HEAD is GET without the body, which the server leaves out (monitors like HEAD).
    if (path == "/v1/check" ? request.method != "POST"
                            : request.method != "GET" && request.method != "HEAD") {
        return method_not_allowed(path == "/v1/check" ? "POST" : "GET, HEAD");
    }

    if (path == "/healthz") {
        const bool healthy = agent.healthy(now);
        const auto snapshot = agent.snapshot();
        Json last = nullptr;
        if (snapshot && snapshot->last_cycle) {
            last = format_utc(snapshot->last_cycle->finished);
        }
        return json_response(healthy ? 200 : 503,
                             {{"status", healthy ? "ok" : "unhealthy"}, {"last_cycle", last}});
    }
    if (path == "/v1/check") {
        if (auto refusal = authorise(request, options)) {
            return std::move(*refusal);
        }
        if (agent.request_cycle() == TriggerResult::busy) {
            return error_response(409, "a cycle is running or already requested");
        }
        return json_response(202, {{"accepted", true}});
    }
    if (options.token_for_reads) {
        if (auto refusal = authorise(request, options, is_page)) {
            return std::move(*refusal);
        }
    }

    // The documents a snapshot fixes are rendered once, by the first request after it is
    // published (endpoint/rendered_documents.hpp).
    const auto snapshot = agent.snapshot();
    if (rendered) {
        return rendered_document_response(*rendered, snapshot.get(), now, stats);
    }
    if (!snapshot) {
        return no_snapshot();
    }
    if (is_page) {
        return page_response(*snapshot, now);
    }
    const auto id = percent_decode(path.substr(kPackagesPrefix.size()));
    if (!id) {
        return error_response(400, "bad percent-encoding in the package id");
    }
    if (auto package = package_json(*snapshot, *id)) {
        return json_response(200, *package);
    }
    return error_response(404, "no package " + *id + " in the last cycle");
}

}  // namespace

Response error_response(unsigned status, const std::string& message) {
    return json_response(status, {{"error", message}});
}

std::optional<PendingRender> pending_render(const Request& request, AgentControl& agent,
                                            const RouteOptions& options) {
    const auto document = route_rendered_document(target_path(request.target));
    if (!document || (request.method != "GET" && request.method != "HEAD") ||
        (options.token_for_reads && authorise(request, options))) {
        return std::nullopt;  // nothing to render, or refused by route()
    }
    try {
        auto snapshot = agent.snapshot();
        if (!snapshot || snapshot->rendered.rendered(*document)) {
            return std::nullopt;
        }
        return PendingRender{std::move(snapshot), *document};
    } catch (const std::exception&) {
        return std::nullopt;  // handle() reads it again and answers the error
    }
}

Response handle(const Request& request, AgentControl& agent, const RouteOptions& options,
                TimePoint now, const EndpointStats& stats) {
    try {
        return route(request, agent, options, now, stats);
    } catch (const std::exception& error) {
        // A bug must show up as an answer, never as a dropped connection or a dead server.
        return error_response(500, std::string("internal error: ") + error.what());
    }
}

}  // namespace psguard
