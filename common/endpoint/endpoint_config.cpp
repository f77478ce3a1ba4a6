#include "endpoint/endpoint_config.hpp"

#include <optional>

#include <boost/asio/ip/address.hpp>

namespace psguard {

namespace {

// An IP literal and nothing else. Windows' parser also takes "127.0.0.1:80" and "[::1]:80"
// (dropping the port), which must not quietly bind to another port than configured.
std::optional<boost::asio::ip::address> parse_ip_literal(const std::string& text) {
    if (text.find_first_of("[] \t") != std::string::npos) {
        return std::nullopt;
    }
    boost::system::error_code ec;
    const auto parsed = boost::asio::ip::make_address(text, ec);
    if (ec || (parsed.is_v4() && text.find(':') != std::string::npos)) {
        return std::nullopt;
    }
    return parsed;
}

}  // namespace

bool is_loopback_address(const std::string& address) {
    const auto parsed = parse_ip_literal(address);
    if (!parsed) {
        return false;
    }
    if (parsed->is_v6() && parsed->to_v6().is_v4_mapped()) {
        return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, parsed->to_v6())
            .is_loopback();
    }
    return parsed->is_loopback();
}

bool tls_required(const EndpointConfig& config) {
    return config.tls.required.value_or(!is_loopback_address(config.bind_address));
}

Status validate(const EndpointConfig& config) {
    if (!parse_ip_literal(config.bind_address)) {
        return fail("endpoint.bind: expected an IP address such as 127.0.0.1 or ::1, got \"" +
                    config.bind_address + "\"");
    }
    if (!is_loopback_address(config.bind_address) && config.token_file.empty()) {
        return fail("endpoint.bind: " + config.bind_address +
                    " is not a loopback address; binding there needs endpoint.token_file, "
                    "because every route then asks for the bearer token");
    }
    const EndpointTlsConfig& tls = config.tls;
    if (tls.cert_file.empty() != tls.key_file.empty()) {
        return fail(std::string("endpoint.tls: ") +
                    (tls.cert_file.empty() ? "key_file is set without cert_file"
                                           : "cert_file is set without key_file") +
                    "; the certificate and its private key go together");
    }
    if (!tls.client_ca_file.empty() && !tls.enabled()) {
        return fail(
            "endpoint.tls.client_ca_file: client certificates need TLS; set "
            "endpoint.tls.cert_file and key_file too");
    }
    if (tls_required(config) && !tls.enabled()) {
        return fail(
            is_loopback_address(config.bind_address)
                ? "endpoint.tls.required is true, but no certificate is configured: set "
                  "endpoint.tls.cert_file and key_file"
                : "endpoint.bind: " + config.bind_address +
                      " is not a loopback address, so the endpoint must speak TLS (the token "
                      "would cross the network in clear text): set endpoint.tls.cert_file and "
                      "key_file (docs/endpoint.md), or endpoint.tls.required: false to accept "
                      "plain HTTP");
    }
    if (config.max_connections < 1 || config.max_connections > kMaxEndpointConnections) {
        return fail("endpoint.max_connections: expected 1 to " +
                    std::to_string(kMaxEndpointConnections) + ", got " +
                    std::to_string(config.max_connections));
    }
    if (config.read_timeout < std::chrono::seconds(1) ||
        config.read_timeout > std::chrono::seconds(300)) {
        return fail("endpoint read timeout: expected 1 to 300 seconds, got " +
                    std::to_string(config.read_timeout.count()));
    }
    if (config.max_header_bytes < 1024 || config.max_header_bytes > 1024 * 1024) {
        return fail("endpoint header limit: expected 1024 to 1048576 bytes, got " +
                    std::to_string(config.max_header_bytes));
    }
    return {};
}

}  // namespace psguard
