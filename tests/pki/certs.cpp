#include "certs.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string_view>

namespace psguard::test {
namespace {

template <auto Free>
struct OpenSslDeleter {
    template <class T>
    void operator()(T* object) const noexcept {
        Free(object);
    }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<&EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<&X509_free>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, OpenSslDeleter<&X509_EXTENSION_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<&BN_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<&BIO_free_all>>;

[[noreturn]] void fail(std::string_view what) {
    std::string message(what);
    if (const unsigned long code = ERR_get_error(); code != 0) {
        char reason[256] = {};
        ERR_error_string_n(code, reason, sizeof reason);
        message += ": ";
        message += reason;
    }
    ERR_clear_error();
    throw std::runtime_error(message);
}

// EC P-256: fast enough to generate for every test, accepted by every TLS 1.2 stack.
PkeyPtr make_key() {
    PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!key) {
        fail("generating an EC P-256 key");
    }
    return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX context;
    X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
    ExtensionPtr extension(X509V3_EXT_nconf_nid(nullptr, &context, nid, value));
    if (!extension || X509_add_ext(cert, extension.get(), -1) != 1) {
        fail(std::string("adding extension ") + OBJ_nid2sn(nid) + "=" + value);
    }
}

// Validity from `not_before` to `not_after`, relative to now (the default starts an hour ago:
// clock skew between processes).
X509Ptr make_unsigned_cert(EVP_PKEY* key, const std::string& common_name,
                           std::chrono::seconds not_before = std::chrono::hours(-1),
                           std::chrono::seconds not_after = std::chrono::hours(24 * 30)) {
    X509Ptr cert(X509_new());
    if (!cert || X509_set_version(cert.get(), 2) != 1) {
        fail("creating a certificate");
    }
    // Random 159-bit serials so certificates from different runs never collide in a cache.
    BignumPtr serial(BN_new());
    if (!serial || BN_rand(serial.get(), 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
        BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr) {
        fail("setting the serial number");
    }
    if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), static_cast<long>(not_before.count())) ==
            nullptr ||
        X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(not_after.count())) ==
            nullptr) {
        fail("setting the validity period");
    }
    X509_NAME* subject = X509_get_subject_name(cert.get());
    const auto* cn = reinterpret_cast<const unsigned char*>(common_name.c_str());
    if (X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>("psguard test"), -1, -1,
                                   0) != 1 ||
        X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, cn, -1, -1, 0) != 1) {
        fail("setting the subject name");
    }
    if (X509_set_pubkey(cert.get(), key) != 1) {
        fail("setting the public key");
    }
    return cert;
}

// True when both halves of the certificate's ECDSA signature are full width (32 bytes for P-256).
bool ecdsa_halves_are_full_width(const X509* cert) {
    const ASN1_BIT_STRING* signature = nullptr;
    X509_get0_signature(&signature, nullptr, cert);
    const unsigned char* der = ASN1_STRING_get0_data(signature);
    std::unique_ptr<ECDSA_SIG, OpenSslDeleter<&ECDSA_SIG_free>> parsed(
        d2i_ECDSA_SIG(nullptr, &der, ASN1_STRING_length(signature)));
    if (!parsed) {
        fail("reading back the ECDSA signature");
    }
    const BIGNUM* r = nullptr;
    const BIGNUM* s = nullptr;
    ECDSA_SIG_get0(parsed.get(), &r, &s);
    return BN_num_bytes(r) == 32 && BN_num_bytes(s) == 32;
}

// Wine's crypt32 (8.x) fails an ECDSA certificate signature whose r or s has a leading zero byte
// (about 1 signature in 128) with TRUST_E_CERT_SIGNATURE; Windows does not. The Wine tests check
// chains with crypt32, so the test PKI signs again (ECDSA is randomised) until both are full width.
void sign(X509* cert, EVP_PKEY* issuer_key) {
    for (int attempt = 0; attempt < 64; ++attempt) {
        if (X509_sign(cert, issuer_key, EVP_sha256()) <= 0) {
            fail("signing the certificate");
        }
        if (ecdsa_halves_are_full_width(cert)) {
            return;
        }
    }
    fail("64 ECDSA signatures in a row had a short half");
}

struct Issued {
    PkeyPtr key;
    X509Ptr cert;
};

Issued make_ca(const std::string& common_name = "psguard test CA") {
    Issued ca{make_key(), nullptr};
    ca.cert = make_unsigned_cert(ca.key.get(), common_name);
    if (X509_set_issuer_name(ca.cert.get(), X509_get_subject_name(ca.cert.get())) != 1) {
        fail("setting the CA issuer");
    }
    add_extension(ca.cert.get(), ca.cert.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_extension(ca.cert.get(), ca.cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(ca.cert.get(), ca.cert.get(), NID_subject_key_identifier, "hash");
    add_extension(ca.cert.get(), ca.cert.get(), NID_authority_key_identifier, "keyid:always");
    sign(ca.cert.get(), ca.key.get());
    return ca;
}

Issued make_leaf(const Issued& ca, const std::string& common_name, const std::string& san,
                 const IssueOptions& options = {}) {
    Issued leaf{make_key(), nullptr};
    leaf.cert =
        make_unsigned_cert(leaf.key.get(), common_name, options.not_before, options.not_after);
    if (X509_set_issuer_name(leaf.cert.get(), X509_get_subject_name(ca.cert.get())) != 1) {
        fail("setting the issuer");
    }
    add_extension(leaf.cert.get(), ca.cert.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_extension(leaf.cert.get(), ca.cert.get(), NID_key_usage,
                  "critical,digitalSignature,keyEncipherment");
    add_extension(leaf.cert.get(), ca.cert.get(), NID_ext_key_usage,
                  options.client ? "clientAuth" : "serverAuth");
    add_extension(leaf.cert.get(), ca.cert.get(), NID_subject_key_identifier, "hash");
    add_extension(leaf.cert.get(), ca.cert.get(), NID_authority_key_identifier, "keyid:always");
    add_extension(leaf.cert.get(), ca.cert.get(), NID_subject_alt_name, san.c_str());
    sign(leaf.cert.get(), ca.key.get());
    return leaf;
}

// Every file owner-only from its creation on: keys must be, and psguard's endpoint reads its
// certificates only from files as private as its key (platform/private_file.hpp).
BioPtr open_for_writing(const std::filesystem::path& path) {
    std::ofstream(path, std::ios::trunc).close();
    std::filesystem::permissions(
        path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
        std::filesystem::perm_options::replace);
    BioPtr bio(BIO_new_file(path.string().c_str(), "w"));
    if (!bio) {
        fail("opening " + path.string());
    }
    return bio;
}

Issued read_pair(const std::filesystem::path& dir, const std::string& stem) {
    Issued issued;
    {
        const auto cert_path = dir / (stem + ".pem");
        BioPtr bio(BIO_new_file(cert_path.string().c_str(), "r"));
        issued.cert.reset(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
        if (!issued.cert) {
            fail("reading " + cert_path.string());
        }
    }
    const auto key_path = dir / (stem + ".key");
    BioPtr bio(BIO_new_file(key_path.string().c_str(), "r"));
    issued.key.reset(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!issued.key) {
        fail("reading " + key_path.string());
    }
    return issued;
}

void write_pair(const Issued& issued, const std::filesystem::path& dir, std::string_view stem) {
    const auto cert_path = dir / (std::string(stem) + ".pem");
    const auto key_path = dir / (std::string(stem) + ".key");
    {
        BioPtr bio = open_for_writing(cert_path);
        if (PEM_write_bio_X509(bio.get(), issued.cert.get()) != 1) {
            fail("writing " + cert_path.string());
        }
    }
    BioPtr bio = open_for_writing(key_path);
    if (PEM_write_bio_PrivateKey(bio.get(), issued.key.get(), nullptr, nullptr, 0, nullptr,
                                 nullptr) != 1) {
        fail("writing " + key_path.string());
    }
}

}  // namespace

void make_certs(const CertOptions& options) {
    std::filesystem::create_directories(options.dir);
    const Issued ca = make_ca();
    std::string san = "DNS:" + options.host;
    if (!options.ip.empty()) {
        san += ",IP:" + options.ip;
    }
    const Issued server = make_leaf(ca, options.host, san);
    const Issued wrong_host = make_leaf(ca, kWrongHostName, std::string("DNS:") + kWrongHostName);
    write_pair(ca, options.dir, "ca");
    write_pair(server, options.dir, "server");
    write_pair(wrong_host, options.dir, "wrong-host");
    write_pair(make_leaf(ca, "psguard test client", "DNS:client.invalid", {.client = true}),
               options.dir, "client");
}

void make_ca(const std::filesystem::path& dir, const std::string& stem) {
    std::filesystem::create_directories(dir);
    write_pair(make_ca("psguard test CA " + stem), dir, stem);
}

void issue_cert(const std::filesystem::path& dir, const std::string& stem,
                const IssueOptions& options) {
    const Issued ca = read_pair(dir, options.ca_stem);
    write_pair(make_leaf(ca, options.common_name, options.san, options), dir, stem);
}

}  // namespace psguard::test
