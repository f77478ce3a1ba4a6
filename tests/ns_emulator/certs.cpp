#include "certs.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <memory>
#include <stdexcept>
#include <string_view>

namespace psguard::emulator {
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

constexpr long kValidBeforeNowSeconds = 60L * 60;  // tolerate clock skew between processes
constexpr long kValidForSeconds = 30L * 24 * 60 * 60;

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

X509Ptr make_unsigned_cert(EVP_PKEY* key, const std::string& common_name) {
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
    if (X509_gmtime_adj(X509_getm_notBefore(cert.get()), -kValidBeforeNowSeconds) == nullptr ||
        X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValidForSeconds) == nullptr) {
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

void sign(X509* cert, EVP_PKEY* issuer_key) {
    if (X509_sign(cert, issuer_key, EVP_sha256()) <= 0) {
        fail("signing the certificate");
    }
}

struct Issued {
    PkeyPtr key;
    X509Ptr cert;
};

Issued make_ca() {
    Issued ca{make_key(), nullptr};
    ca.cert = make_unsigned_cert(ca.key.get(), "psguard test CA");
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

Issued make_leaf(const Issued& ca, const std::string& common_name, const std::string& san) {
    Issued leaf{make_key(), nullptr};
    leaf.cert = make_unsigned_cert(leaf.key.get(), common_name);
    if (X509_set_issuer_name(leaf.cert.get(), X509_get_subject_name(ca.cert.get())) != 1) {
        fail("setting the issuer");
    }
    add_extension(leaf.cert.get(), ca.cert.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_extension(leaf.cert.get(), ca.cert.get(), NID_key_usage,
                  "critical,digitalSignature,keyEncipherment");
    add_extension(leaf.cert.get(), ca.cert.get(), NID_ext_key_usage, "serverAuth");
    add_extension(leaf.cert.get(), ca.cert.get(), NID_subject_key_identifier, "hash");
    add_extension(leaf.cert.get(), ca.cert.get(), NID_authority_key_identifier, "keyid:always");
    add_extension(leaf.cert.get(), ca.cert.get(), NID_subject_alt_name, san.c_str());
    sign(leaf.cert.get(), ca.key.get());
    return leaf;
}

BioPtr open_for_writing(const std::filesystem::path& path, bool secret) {
    // Private keys: create the file owner-only before any key byte is written into it.
    if (secret) {
        std::ofstream(path, std::ios::trunc).close();
        std::filesystem::permissions(
            path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
            std::filesystem::perm_options::replace);
    }
    BioPtr bio(BIO_new_file(path.c_str(), "w"));
    if (!bio) {
        fail("opening " + path.string());
    }
    return bio;
}

void write_pair(const Issued& issued, const std::filesystem::path& dir, std::string_view stem) {
    const auto cert_path = dir / (std::string(stem) + ".pem");
    const auto key_path = dir / (std::string(stem) + ".key");
    {
        BioPtr bio = open_for_writing(cert_path, false);
        if (PEM_write_bio_X509(bio.get(), issued.cert.get()) != 1) {
            fail("writing " + cert_path.string());
        }
    }
    BioPtr bio = open_for_writing(key_path, true);
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
}

}  // namespace psguard::emulator
