// The status endpoint's TLS (OpenSSL through Asio, on Windows and Linux alike): the server's
// context built from endpoint.tls's PEM files, and the context `psguard status` uses to talk to
// its own endpoint. TLS 1.2 and 1.3 only, forward-secret AEAD ciphers only, security level 2
// (RSA keys of 2048 bits and more), no compression, no renegotiation.
#pragma once

#include <memory>
#include <string>

#include "core/result.hpp"
#include "core/utc_time.hpp"
#include "endpoint/endpoint_config.hpp"

namespace boost::asio::ssl {
class context;
}

namespace psguard {

struct EndpointTls {
    std::shared_ptr<boost::asio::ssl::context> context;
    std::string subject;  // the certificate's subject, for the log
    TimePoint not_after;  // when the certificate expires

    // "CN = ps01.example.com, valid until 2027-01-01T00:00:00Z", for the log.
    std::string description() const { return subject + ", valid until " + format_utc(not_after); }
};

// Reads cert_file, key_file and client_ca_file (each with the private-file rule of
// platform/private_file.hpp) and builds the server context. With client_ca_file, every client
// must present a certificate issued by one of its CAs, or the endpoint's own certificate (which
// proves it holds the endpoint's key: `psguard status` on this machine). Refused, naming the
// key and the file: an unsafe or unreadable file, no PEM in it, an encrypted key, a key that is
// not the certificate's, a certificate that is expired or not yet valid at `now`.
Result<EndpointTls> load_endpoint_tls(const EndpointTlsConfig& config, TimePoint now);

// For a client on this machine: trusts exactly the configured certificate, whatever its issuer
// and names (the client connects to its own endpoint on loopback, where no name would match),
// and, when the endpoint asks for client certificates (client_ca_file), presents that
// certificate with its key.
Result<std::shared_ptr<boost::asio::ssl::context>> load_local_client_tls(
    const EndpointTlsConfig& config);

}  // namespace psguard
