// The seam between the NS client and the operating system's HTTP stack: Boost.Beast over OpenSSL
// on POSIX (http_transport_posix.cpp), WinHTTP on Windows (http_transport_windows.cpp).
// One call = one HTTPS/HTTP POST, no retries (the NS client owns the retry policy).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "config/config.hpp"

namespace psguard {

struct HttpEndpoint {
    bool https = true;
    std::string host;
    std::uint16_t port = 443;
};

struct TransportOptions {
    HttpEndpoint endpoint;
    std::optional<std::filesystem::path> ca_file;  // trusted in addition to the system store
    std::chrono::milliseconds timeout{30000};      // whole exchange: connect, TLS, send, receive
    std::uint64_t max_response_bytes = 32ull * 1024 * 1024;
    AuthType auth = AuthType::none;
    std::string username;  // basic: user; negotiate: empty = the process's own account
    std::string password;  // never logged
};

struct HttpResponse {
    int status = 0;
    std::string content_type;
    std::string body;
};

enum class TransportFailure {
    resolve,        // host name not found
    connect,        // refused, unreachable
    tls,            // handshake failed, certificate not trusted or for another host
    timeout,        // the whole exchange took longer than the timeout
    too_large,      // the body exceeded max_response_bytes
    protocol,       // not HTTP, truncated body, bad chunking
    configuration,  // the options cannot be used (bad CA file, unsupported auth)
};

const char* to_string(TransportFailure failure);

struct TransportError {
    TransportFailure kind;
    std::string message;
};

// Exactly one of response/error is set.
struct TransportOutcome {
    std::optional<HttpResponse> response;
    std::optional<TransportError> error;
};

class HttpTransport {
  public:
    virtual ~HttpTransport() = default;
    virtual TransportOutcome post_form(const std::string& path_and_query,
                                       const std::string& form_body) = 0;
};

std::unique_ptr<HttpTransport> make_http_transport(TransportOptions options);

}  // namespace psguard
