// Test PKI for the emulator: a CA, a server certificate for the expected host, and one for a
// wrong host, all generated with the OpenSSL C API so tests need no openssl binary.
#pragma once

#include <filesystem>
#include <string>

namespace psguard::emulator {

struct CertOptions {
    std::filesystem::path dir;
    std::string host = "localhost";
    std::string ip = "127.0.0.1";
};

// Writes ca.pem/ca.key, server.pem/server.key and wrong-host.pem/wrong-host.key into
// options.dir (created if missing). Throws std::runtime_error with OpenSSL's reason on failure.
void make_certs(const CertOptions& options);

inline constexpr const char* kWrongHostName = "wrong.example.invalid";

}  // namespace psguard::emulator
