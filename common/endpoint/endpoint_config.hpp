// The local status endpoint's settings ("endpoint" in the configuration; docs/endpoint.md).
// Loopback by default: reads carry no authentication, so only tooling on the box may read.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "core/result.hpp"

namespace psguard {

// TLS for the endpoint ("endpoint.tls"): OpenSSL through Asio on every platform.
struct EndpointTlsConfig {
    std::filesystem::path cert_file;       // PEM: the certificate, then its intermediates
    std::filesystem::path key_file;        // PEM: its private key, not encrypted
    std::filesystem::path client_ca_file;  // PEM: CAs of client certificates; empty: none asked
    std::optional<bool> required;          // unset: required when the bind is not loopback

    bool enabled() const { return !cert_file.empty(); }
};

struct EndpointConfig {
    std::string bind_address = "127.0.0.1";  // an IP literal (v4 or v6), never a host name
    std::uint16_t port = 9631;               // 0: the system picks one (tests)
    std::filesystem::path token_file;        // bearer token for POST /v1/check; empty: none
    std::size_t max_connections = 256;       // served at once; more are answered 503
    std::chrono::seconds read_timeout{10};   // a whole request (headers and body), or idle
    std::size_t max_header_bytes = 8192;     // request line and headers; more: 431
    EndpointTlsConfig tls;
};

inline constexpr std::size_t kMaxEndpointConnections = 10000;

// True for 127.0.0.0/8, ::1 and ::ffff:127.x.y.z; false for anything else, including text
// that is not an IP address.
bool is_loopback_address(const std::string& address);

// Whether the endpoint must speak TLS: endpoint.tls.required, by default true exactly when the
// bind address is not loopback.
bool tls_required(const EndpointConfig& config);

// Refuses what the server must not start with: a bind address that is not an IP literal, a
// non-loopback bind without a token file, TLS required but not configured, a half-configured
// TLS section, limits out of range. The TLS files themselves are judged when they are loaded
// (endpoint_tls.hpp).
Status validate(const EndpointConfig& config);

}  // namespace psguard
