#include "endpoint/endpoint_tls.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/verify_context.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/utf8_path.hpp"
#include "platform/private_file.hpp"

namespace psguard {
namespace {

namespace ssl = boost::asio::ssl;

constexpr std::size_t kMaxPemBytes = 1024 * 1024;

// TLS 1.2: ECDHE key exchange with AES-GCM or ChaCha20-Poly1305 only (TLS 1.3's suites are all
// of that kind). The groups: X25519 first, then the NIST curves every Windows client has.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kTls13Suites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr const char* kKeyExchangeGroups = "X25519:P-256:P-384";

template <auto Free>
struct OpenSslDeleter {
    template <class T>
    void operator()(T* object) const noexcept {
        Free(object);
    }
};
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<&BIO_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<&X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<&EVP_PKEY_free>>;
using Asn1TimePtr = std::unique_ptr<ASN1_TIME, OpenSslDeleter<&ASN1_TIME_free>>;

// OpenSSL's reason for the last failure, and the error queue emptied.
std::string openssl_reason() {
    std::string reason;
    while (const unsigned long code = ERR_get_error()) {
        if (reason.empty()) {
            char text[256] = {};
            ERR_error_string_n(code, text, sizeof text);
            reason = text;
        }
    }
    return reason.empty() ? std::string("unknown OpenSSL error") : reason;
}

// One configured file, read once with the private-file rule; every message names its key.
struct PemFile {
    std::string key;  // "endpoint.tls.cert_file"
    std::filesystem::path path;
    std::string text;

    std::string where() const { return key + ": " + path_to_utf8(path); }
    BioPtr bio() const {
        return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    }
};

Result<PemFile> read_pem(std::string key, std::string_view what,
                         const std::filesystem::path& path) {
    auto text = read_private_file(path, what, kMaxPemBytes);
    if (!text) {
        return fail(key + ": " + text.error().message);
    }
    return PemFile{std::move(key), path, std::move(text).value()};
}

// Every certificate in the file, in order; an error when there is none or one does not parse.
Result<std::vector<X509Ptr>> certificates_in(const PemFile& file) {
    std::vector<X509Ptr> certificates;
    BioPtr bio = file.bio();
    ERR_clear_error();
    while (X509* certificate = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
        certificates.emplace_back(certificate);
    }
    const unsigned long last = ERR_peek_last_error();
    const bool clean_end =
        ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE;
    if (!certificates.empty() && clean_end) {
        ERR_clear_error();
        return certificates;
    }
    if (certificates.empty() && clean_end) {
        ERR_clear_error();
        return fail(file.where() + ": no PEM certificate (-----BEGIN CERTIFICATE-----) in it");
    }
    return fail(file.where() + ": a certificate does not parse: " + openssl_reason());
}

// Never prompts: an encrypted key is refused (its protection is the file's permissions).
int refuse_password(char*, int, int, void*) {
    return 0;
}

Result<PkeyPtr> private_key_in(const PemFile& file) {
    BioPtr bio = file.bio();
    ERR_clear_error();
    PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, &refuse_password, nullptr));
    if (!key) {
        const std::string reason = openssl_reason();
        if (file.text.find("ENCRYPTED") != std::string::npos) {
            return fail(file.where() +
                        ": the key is encrypted; psguard needs it unencrypted (the file's "
                        "permissions protect it), e.g. openssl pkey -in KEY -out PLAIN");
        }
        return fail(file.where() + ": no PEM private key in it: " + reason);
    }
    return key;
}

// Seconds since the Unix epoch of an ASN.1 time (portable: no timegm on Windows).
std::optional<TimePoint> to_time_point(const ASN1_TIME* time) {
    Asn1TimePtr epoch(ASN1_TIME_set(nullptr, 0));
    int days = 0;
    int seconds = 0;
    if (!epoch || ASN1_TIME_diff(&days, &seconds, epoch.get(), time) != 1) {
        return std::nullopt;
    }
    return TimePoint(std::chrono::seconds(std::int64_t{days} * 86400 + seconds));
}

std::string subject_of(X509* certificate) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || X509_NAME_print_ex(bio.get(), X509_get_subject_name(certificate), 0,
                                   XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) < 0) {
        return "?";
    }
    std::string subject;
    std::array<char, 256> chunk{};
    for (int got = 0;
         (got = BIO_read(bio.get(), chunk.data(), static_cast<int>(chunk.size()))) > 0;) {
        subject.append(chunk.data(), static_cast<std::size_t>(got));
    }
    return subject;
}

void set_protocols(SSL_CTX* context) {
    SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
    SSL_CTX_set_security_level(context, 2);
    SSL_CTX_set_options(
        context, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_cipher_list(context, kTls12Ciphers);
    SSL_CTX_set_ciphersuites(context, kTls13Suites);
    // SSL_CTX_set1_groups_list is a macro with a C cast; call what it expands to.
    SSL_CTX_ctrl(context, SSL_CTRL_SET_GROUPS_LIST, 0, const_cast<char*>(kKeyExchangeGroups));
}

// The server's check of a client certificate: a chain to client_ca_file, or exactly the
// endpoint's own certificate — the client then proved it holds the endpoint's key.
int verify_client(X509_STORE_CTX* store, void*) {
    auto* connection =
        static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    X509* own = connection ? SSL_CTX_get0_certificate(SSL_get_SSL_CTX(connection)) : nullptr;
    X509* presented = X509_STORE_CTX_get0_cert(store);
    if (own != nullptr && presented != nullptr && X509_cmp(own, presented) == 0) {
        X509_STORE_CTX_set_error(store, X509_V_OK);
        return 1;
    }
    return X509_verify_cert(store);
}

Status use_key_pair(SSL_CTX* context, const PemFile& cert_file, std::vector<X509Ptr>& certificates,
                    const PemFile& key_file) {
    auto key = private_key_in(key_file);
    if (!key) {
        return key.error();
    }
    if (SSL_CTX_use_certificate(context, certificates.front().get()) != 1) {
        return fail(cert_file.where() + ": the certificate is not usable: " + openssl_reason());
    }
    for (std::size_t i = 1; i < certificates.size(); ++i) {
        // SSL_CTX_add1_chain_cert, a macro with a C cast.
        if (SSL_CTX_ctrl(context, SSL_CTRL_CHAIN_CERT, 1, certificates[i].get()) != 1) {
            return fail(cert_file.where() + ": intermediate certificate " + std::to_string(i) +
                        " is not usable: " + openssl_reason());
        }
    }
    if (SSL_CTX_use_PrivateKey(context, key->get()) != 1 ||
        SSL_CTX_check_private_key(context) != 1) {
        ERR_clear_error();
        return fail(key_file.where() + ": this key does not belong to the certificate in " +
                    path_to_utf8(cert_file.path));
    }
    return {};
}

}  // namespace

Result<EndpointTls> load_endpoint_tls(const EndpointTlsConfig& config, TimePoint now) {
    auto cert_file = read_pem("endpoint.tls.cert_file", "certificate", config.cert_file);
    if (!cert_file) {
        return cert_file.error();
    }
    auto key_file = read_pem("endpoint.tls.key_file", "key", config.key_file);
    if (!key_file) {
        return key_file.error();
    }
    auto certificates = certificates_in(*cert_file);
    if (!certificates) {
        return certificates.error();
    }
    X509* leaf = certificates->front().get();
    const auto not_before = to_time_point(X509_get0_notBefore(leaf));
    const auto not_after = to_time_point(X509_get0_notAfter(leaf));
    if (!not_before || !not_after) {
        return fail(cert_file->where() + ": the certificate's validity period does not parse");
    }
    if (now > *not_after) {
        return fail(cert_file->where() + ": the certificate expired on " + format_utc(*not_after));
    }
    if (now < *not_before) {
        return fail(cert_file->where() + ": the certificate is valid only from " +
                    format_utc(*not_before));
    }

    auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
    SSL_CTX* native = context->native_handle();
    set_protocols(native);
    if (auto used = use_key_pair(native, *cert_file, *certificates, *key_file); !used) {
        return used.error();
    }
    if (!config.client_ca_file.empty()) {
        auto ca_file = read_pem("endpoint.tls.client_ca_file", "client CA", config.client_ca_file);
        if (!ca_file) {
            return ca_file.error();
        }
        auto authorities = certificates_in(*ca_file);
        if (!authorities) {
            return authorities.error();
        }
        X509_STORE* store = SSL_CTX_get_cert_store(native);
        for (const auto& authority : *authorities) {
            if (X509_STORE_add_cert(store, authority.get()) != 1 ||
                SSL_CTX_add_client_CA(native, authority.get()) != 1) {
                return fail(ca_file->where() +
                            ": a CA certificate is not usable: " + openssl_reason());
            }
        }
        SSL_CTX_set_verify(native, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
        SSL_CTX_set_cert_verify_callback(native, &verify_client, nullptr);
        // Sessions are resumed only within this context (OpenSSL requires an id with
        // client certificates).
        static constexpr unsigned char kSessionContext[] = "psguard-endpoint";
        SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
    }
    return EndpointTls{std::move(context), subject_of(leaf), *not_after};
}

Result<std::shared_ptr<ssl::context>> load_local_client_tls(const EndpointTlsConfig& config) {
    auto cert_file = read_pem("endpoint.tls.cert_file", "certificate", config.cert_file);
    if (!cert_file) {
        return cert_file.error();
    }
    auto certificates = certificates_in(*cert_file);
    if (!certificates) {
        return certificates.error();
    }
    auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
    SSL_CTX* native = context->native_handle();
    set_protocols(native);
    if (!config.client_ca_file.empty()) {
        auto key_file = read_pem("endpoint.tls.key_file", "key", config.key_file);
        if (!key_file) {
            return key_file.error();
        }
        if (auto used = use_key_pair(native, *cert_file, *certificates, *key_file); !used) {
            return used.error();
        }
    }
    // The peer's leaf must be the configured certificate itself; the chain above it, if any,
    // does not matter then.
    std::shared_ptr<X509> pinned(std::move(certificates->front()));
    context->set_verify_mode(ssl::verify_peer);
    context->set_verify_callback([pinned](bool, ssl::verify_context& verify) {
        X509_STORE_CTX* store = verify.native_handle();
        if (X509_STORE_CTX_get_error_depth(store) != 0) {
            return true;
        }
        X509* presented = X509_STORE_CTX_get_current_cert(store);
        return presented != nullptr && X509_cmp(presented, pinned.get()) == 0;
    });
    return context;
}

}  // namespace psguard
