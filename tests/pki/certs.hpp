// Test PKI for the NS emulator and the endpoint's TLS tests: CAs, server and client
// certificates, generated with the OpenSSL C API so tests need no openssl binary. Portable: the
// endpoint's TLS tests run natively and under Wine.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

namespace psguard::test {

struct CertOptions {
    std::filesystem::path dir;
    std::string host = "localhost";
    std::string ip = "127.0.0.1";
};

// Writes ca.pem/ca.key, server.pem/server.key, wrong-host.pem/wrong-host.key and (a client
// certificate: extended key usage clientAuth) client.pem/client.key into options.dir (created
// if missing). Throws std::runtime_error with OpenSSL's reason on failure.
void make_certs(const CertOptions& options);

inline constexpr const char* kWrongHostName = "wrong.example.invalid";

// A new self-signed CA, written as dir/<stem>.pem and dir/<stem>.key.
void make_ca(const std::filesystem::path& dir, const std::string& stem);

struct IssueOptions {
    std::string ca_stem = "ca";  // the issuer: dir/<ca_stem>.pem and .key
    std::string common_name = "localhost";
    std::string san = "DNS:localhost,IP:127.0.0.1";
    bool client = false;  // extended key usage clientAuth instead of serverAuth
    // Validity, relative to now.
    std::chrono::seconds not_before{-3600};
    std::chrono::seconds not_after{std::chrono::hours(24 * 30)};
};

// A new key and a certificate for it, written as dir/<stem>.pem and dir/<stem>.key.
void issue_cert(const std::filesystem::path& dir, const std::string& stem,
                const IssueOptions& options = {});

}  // namespace psguard::test
