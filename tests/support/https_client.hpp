// A small, blocking HTTP(S) client for integration tests: one request per connection, the
// certificate verified against a given CA file. Failures are returned, never thrown, so tests
// can assert on them (a refused certificate is an expected outcome there).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/system/error_code.hpp>

namespace psguard::test {

struct ClientRequest {
    std::string host = "localhost";             // SNI, Host header and the name verified
    std::string connect_address = "127.0.0.1";  // where to connect (no resolver involved)
    std::uint16_t port = 0;
    bool tls = true;
    std::filesystem::path ca_file;  // the only trust anchor
    bool verify_host_name = true;   // false: chain only (the emulator's wrong-host mode)
    boost::beast::http::verb method = boost::beast::http::verb::get;
    std::string target = "/";
    std::string content_type;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    // Sent as-is after the TLS handshake instead of the request above.
    std::optional<std::string> raw;
    std::chrono::milliseconds timeout{10000};
    std::uint64_t body_limit = 256ull * 1024 * 1024;
};

struct ClientResponse {
    boost::system::error_code error;  // transport failure; the fields below hold what arrived
    std::string error_stage;          // "connect", "handshake", "write", "read"
    unsigned status = 0;
    boost::beast::http::fields headers;
    std::string body;  // all body bytes received, also when the read failed
    std::optional<std::uint64_t> content_length;  // as declared by the server

    bool ok() const { return !error; }
};

ClientResponse https_request(const ClientRequest& request);

// A form POST, the way psguard's NS client calls the ASMX report method.
ClientResponse post_form(ClientRequest request, std::string target, std::string form_body);

// application/x-www-form-urlencoded encoding of one value.
std::string form_encode(std::string_view value);

}  // namespace psguard::test
