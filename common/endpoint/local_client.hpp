// The operator's side of the status endpoint: one HTTP request to the agent's own endpoint on
// this machine (`psguard status`, `psguard demo`). The endpoint is loopback by default; a bind
// to "any" (0.0.0.0 / ::) is reached through the loopback address of the same family. With
// endpoint.tls the request goes over TLS, trusting exactly the configured certificate (and
// presenting it as the client certificate when the endpoint asks for one: endpoint_tls.hpp).
#pragma once

#include <chrono>
#include <string>

#include "core/result.hpp"
#include "endpoint/endpoint_config.hpp"

namespace psguard {

struct LocalResponse {
    int status = 0;
    std::string body;
};

// The address a local client connects to for `config` ("127.0.0.1:9631", "[::1]:9631").
std::string local_endpoint_text(const EndpointConfig& config);
// The same with its scheme: "http://127.0.0.1:9631", "https://[::1]:9631".
std::string local_endpoint_url(const EndpointConfig& config);

// GET `target` from the endpoint, with `Authorization: Bearer <token>` unless the token is
// empty; an error when nothing answers within `timeout` or the answer is not HTTP.
Result<LocalResponse> get_local(const EndpointConfig& config, const std::string& target,
                                std::chrono::milliseconds timeout,
                                const std::string& bearer_token = {});

// POST `target` (no body) with `Authorization: Bearer <token>` — POST /v1/check.
Result<LocalResponse> post_local(const EndpointConfig& config, const std::string& target,
                                 const std::string& bearer_token,
                                 std::chrono::milliseconds timeout);

}  // namespace psguard
