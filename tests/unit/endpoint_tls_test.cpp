// The endpoint's TLS on every platform (natively and under Wine, OpenSSL through Asio on both):
// the certificate files judged before anything is served, real handshakes (TLS 1.2 and 1.3
// only), client certificates with endpoint.tls.client_ca_file, and a reload that serves a
// renewed certificate to new connections while open ones keep theirs.
#include <utility>  // first: Boost 1.74's asio/awaitable.hpp lacks it

#include <gtest/gtest.h>

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <chrono>
#include <fstream>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#ifndef _WIN32
#include <sys/stat.h>
#endif

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "endpoint/endpoint_tls.hpp"
#include "endpoint/status_server.hpp"
#include "pki/certs.hpp"
#include "platform/private_file.hpp"
#include "unit/endpoint_fake_agent.hpp"
#include "unit/temp_tree.hpp"

namespace psguard {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

struct ClientOptions {
    std::filesystem::path ca_file{};    // the server certificate's issuer
    std::filesystem::path cert_file{};  // a client certificate, if any
    std::filesystem::path key_file{};
    int max_version = 0;  // e.g. TLS1_1_VERSION: an outdated client
};

// One TLS connection to the endpoint, for as many requests as a test sends on it.
class TlsClient {
  public:
    explicit TlsClient(const ClientOptions& options) {
        context_.set_verify_mode(ssl::verify_peer);
        context_.load_verify_file(options.ca_file.string());
        if (!options.cert_file.empty()) {
            context_.use_certificate_chain_file(options.cert_file.string());
            context_.use_private_key_file(options.key_file.string(), ssl::context::pem);
        }
        if (options.max_version != 0) {
            // Offer old versions for real (the system's configuration may forbid them).
            SSL_CTX_set_security_level(context_.native_handle(), 0);
            SSL_CTX_set_cipher_list(context_.native_handle(), "DEFAULT:@SECLEVEL=0");
            SSL_CTX_set_min_proto_version(context_.native_handle(), TLS1_VERSION);
            SSL_CTX_set_max_proto_version(context_.native_handle(), options.max_version);
        }
        stream_.emplace(io_, context_);
        stream_->set_verify_callback(ssl::host_name_verification("localhost"));
    }

    // TCP connect and the TLS handshake; false when either failed.
    bool connect(std::uint16_t port) {
        return run([this, port]() -> net::awaitable<void> {
            auto step = net::redirect_error(net::use_awaitable, error_);
            co_await beast::get_lowest_layer(*stream_).async_connect(
                tcp::endpoint(net::ip::make_address("127.0.0.1"), port), step);
            if (!error_) {
                co_await stream_->async_handshake(ssl::stream_base::client, step);
            }
        });
    }

    // One GET on this connection: the status, or 0 when no answer came.
    unsigned get(const std::string& target, std::string* body = nullptr) {
        http::response<http::string_body> response;
        const bool answered = run([&]() -> net::awaitable<void> {
            auto step = net::redirect_error(net::use_awaitable, error_);
            http::request<http::empty_body> request(http::verb::get, target, 11);
            request.set(http::field::host, "localhost");
            co_await http::async_write(*stream_, request, step);
            if (!error_) {
                co_await http::async_read(*stream_, buffer_, response, step);
            }
        });
        if (body != nullptr) {
            *body = response.body();
        }
        return answered ? response.result_int() : 0;
    }

    // The serial number of the certificate the server presented, in hex.
    std::string peer_serial() {
        X509* peer = SSL_get1_peer_certificate(stream_->native_handle());
        if (peer == nullptr) {
            return "";
        }
        BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get_serialNumber(peer), nullptr);
        char* hex = BN_bn2hex(serial);
        std::string text(hex);
        OPENSSL_free(hex);
        BN_free(serial);
        X509_free(peer);
        return text;
    }

  private:
    template <class Work>
    bool run(Work work) {
        error_ = {};
        beast::get_lowest_layer(*stream_).expires_after(5s);
        io_.restart();
        net::co_spawn(io_, work(), net::detached);
        io_.run();
        return !error_;
    }

    net::io_context io_;
    ssl::context context_{ssl::context::tls_client};
    std::optional<beast::ssl_stream<beast::tcp_stream>> stream_;
    beast::flat_buffer buffer_;
    beast::error_code error_;
};

// A plain-HTTP request to the port: the status of an answer, 0 when none came.
unsigned plain_get(std::uint16_t port) {
    net::io_context io;
    beast::tcp_stream stream(io);
    http::response<http::string_body> response;
    beast::error_code error;
    stream.expires_after(5s);
    net::co_spawn(
        io,
        [&]() -> net::awaitable<void> {
            auto step = net::redirect_error(net::use_awaitable, error);
            co_await stream.async_connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                                          step);
            http::request<http::empty_body> request(http::verb::get, "/healthz", 11);
            if (!error) {
                co_await http::async_write(stream, request, step);
            }
            beast::flat_buffer buffer;
            if (!error) {
                co_await http::async_read(stream, buffer, response, step);
            }
        },
        net::detached);
    io.run();
    return error ? 0 : response.result_int();
}

class EndpointTlsTest : public ::testing::Test {
  protected:
    EndpointTlsTest() {
        test::make_certs({.dir = tree_.root()});
        agent_.set_snapshot(test::sample_snapshot(now_seconds() - 60s));
    }
    ~EndpointTlsTest() override { stop(); }

    void SetUp() override {
#ifdef _WIN32
        // Wine keeps no DACL on its drive_c files and shows them readable by Everyone, so no
        // file here passes the private-file rule (the token file's Windows tests skip alike).
        // On Windows the temp folder's inherited DACL makes them private. Under Wine the TLS
        // code is tested end to end by Wine.EndpointTls, whose files are private on the Unix side.
        if (auto read = read_private_file(file("server.pem"), "certificate", 1 << 20); !read) {
            GTEST_SKIP() << "the files here cannot be private (Wine): " << read.error().message;
        }
#endif
    }

    std::filesystem::path file(const std::string& name) const {
        return tree_ / name;
    }

    EndpointTlsConfig tls_config() const {
        EndpointTlsConfig tls;
        tls.cert_file = file("server.pem");
        tls.key_file = file("server.key");
        return tls;
    }

    std::uint16_t start(const EndpointTlsConfig& tls, std::size_t max_connections = 256) {
        EndpointConfig config;
        config.port = 0;
        config.max_connections = max_connections;
        config.tls = tls;
        server_.emplace(io_, config, agent_);
        const auto port = server_->start();
        if (!port) {
            ADD_FAILURE() << port.error().message;
            return 0;
        }
        running_ = std::async(std::launch::async, [this] { io_.run(); });
        return *port;
    }

    void stop() {
        if (server_) {
            server_->stop();
        }
        if (running_.valid()) {
            running_.wait();
        }
    }

    ClientOptions client(const std::string& stem = "") const {
        ClientOptions options{.ca_file = file("ca.pem")};
        if (!stem.empty()) {
            options.cert_file = file(stem + ".pem");
            options.key_file = file(stem + ".key");
        }
        return options;
    }

    test::TempTree tree_;
    test::FakeAgent agent_;
    net::io_context io_;
    std::optional<StatusServer> server_;
    std::future<void> running_;
};

TEST_F(EndpointTlsTest, LoadsTheConfiguredPairAndSaysWhatItServes) {
    const auto tls = load_endpoint_tls(tls_config(), now_seconds());
    ASSERT_TRUE(tls.ok()) << tls.error().message;
    EXPECT_TRUE(tls->context);
    EXPECT_TRUE(contains(tls->description(), "localhost")) << tls->description();
    EXPECT_GT(tls->not_after, now_seconds() + std::chrono::hours(24 * 29));
}

TEST_F(EndpointTlsTest, RefusesFilesItCannotServeNamingKeyAndFile) {
    const auto refused = [&](const EndpointTlsConfig& tls) {
        const auto loaded = load_endpoint_tls(tls, now_seconds());
        return loaded.ok() ? std::string("(accepted)") : loaded.error().message;
    };
    auto mismatched = tls_config();
    mismatched.key_file = file("wrong-host.key");
    const auto not_its_key = refused(mismatched);
    EXPECT_TRUE(contains(not_its_key, "endpoint.tls.key_file")) << not_its_key;
    EXPECT_TRUE(contains(not_its_key, "does not belong")) << not_its_key;

    test::issue_cert(tree_.root(), "expired", {.not_before = -48h, .not_after = -24h});
    auto expired = tls_config();
    expired.cert_file = file("expired.pem");
    expired.key_file = file("expired.key");
    EXPECT_TRUE(contains(refused(expired), "expired on")) << refused(expired);

    test::issue_cert(tree_.root(), "future", {.not_before = 24h, .not_after = 48h});
    auto future = tls_config();
    future.cert_file = file("future.pem");
    future.key_file = file("future.key");
    EXPECT_TRUE(contains(refused(future), "valid only from")) << refused(future);

    auto not_pem = tls_config();
    not_pem.cert_file = file("server.key");  // a key where the certificate should be
    EXPECT_TRUE(contains(refused(not_pem), "no PEM certificate")) << refused(not_pem);

    auto missing = tls_config();
    missing.cert_file = file("missing.pem");
    const auto absent = refused(missing);
    EXPECT_TRUE(contains(absent, "endpoint.tls.cert_file")) << absent;
    EXPECT_TRUE(contains(absent, "missing.pem")) << absent;

    auto no_authorities = tls_config();
    no_authorities.client_ca_file = file("server.key");
    const auto bad_ca = refused(no_authorities);
    EXPECT_TRUE(contains(bad_ca, "endpoint.tls.client_ca_file")) << bad_ca;

    // An encrypted key is refused with the reason, never prompted for.
    {
        BIO* in = BIO_new_file(file("server.key").string().c_str(), "r");
        EVP_PKEY* key = PEM_read_bio_PrivateKey(in, nullptr, nullptr, nullptr);
        BIO_free(in);
        ASSERT_NE(key, nullptr);
        std::ofstream(file("encrypted.key")).close();
        std::filesystem::permissions(
            file("encrypted.key"),
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
            std::filesystem::perm_options::replace);
        BIO* out = BIO_new_file(file("encrypted.key").string().c_str(), "w");
        static char passphrase[] = "a passphrase";
        ASSERT_EQ(
            PEM_write_bio_PrivateKey(out, key, EVP_aes_256_cbc(), nullptr, 0, nullptr, passphrase),
            1);
        BIO_free(out);
        EVP_PKEY_free(key);
    }
    auto encrypted = tls_config();
    encrypted.key_file = file("encrypted.key");
    EXPECT_TRUE(contains(refused(encrypted), "encrypted")) << refused(encrypted);

#ifndef _WIN32
    // The private-file rule, as for the token file: the key above all, and the certificate.
    for (const char* name : {"server.key", "server.pem"}) {
        ::chmod(file(name).c_str(), 0640);
        const auto readable = refused(tls_config());
        EXPECT_TRUE(contains(readable, "chmod 600")) << readable;
        EXPECT_TRUE(contains(readable, name)) << readable;
        EXPECT_TRUE(contains(readable, name == std::string("server.key")
                                           ? "endpoint.tls.key_file"
                                           : "endpoint.tls.cert_file"))
            << readable;
        ::chmod(file(name).c_str(), 0600);
    }
#endif
    EXPECT_EQ(refused(tls_config()), "(accepted)");

    // No message quotes the key: not a line of it, whatever the refusal.
    auto key_as_certificate = tls_config();
    key_as_certificate.cert_file = file("server.key");
    key_as_certificate.key_file = file("server.key");
    auto certificate_as_key = tls_config();
    certificate_as_key.key_file = file("server.pem");
    std::ifstream key_text(file("server.key"));
    std::vector<std::string> key_lines;
    for (std::string line; std::getline(key_text, line);) {
        if (!line.empty() && line.front() != '-') {
            key_lines.push_back(line);
        }
    }
    ASSERT_FALSE(key_lines.empty());
    for (const auto& tls : {mismatched, key_as_certificate, certificate_as_key, encrypted}) {
        const auto message = refused(tls);
        EXPECT_NE(message, "(accepted)");
        EXPECT_FALSE(contains(message, "PRIVATE KEY-----")) << message;
        for (const auto& line : key_lines) {
            EXPECT_FALSE(contains(message, line.substr(0, 16))) << message;
        }
    }

    // The server does not start on any of them.
    EndpointConfig config;
    config.port = 0;
    config.tls = mismatched;
    StatusServer server(io_, config, agent_);
    const auto started = server.start();
    ASSERT_FALSE(started.ok());
    EXPECT_TRUE(contains(started.error().message, "does not belong")) << started.error().message;
}

TEST_F(EndpointTlsTest, ServesTls12AndTls13AndNothingOlderNorPlain) {
    const auto port = start(tls_config());
    ASSERT_NE(port, 0);

    TlsClient modern(client());
    ASSERT_TRUE(modern.connect(port));
    EXPECT_EQ(modern.get("/healthz"), 200u);
    std::string status;
    EXPECT_EQ(modern.get("/v1/status", &status), 200u);  // keep-alive: same connection
    EXPECT_TRUE(contains(status, "\"version\"")) << status;

    auto tls12 = client();
    tls12.max_version = TLS1_2_VERSION;
    TlsClient older(tls12);
    ASSERT_TRUE(older.connect(port));
    EXPECT_EQ(older.get("/healthz"), 200u);

    auto tls11 = client();
    tls11.max_version = TLS1_1_VERSION;
    TlsClient outdated(tls11);
    EXPECT_FALSE(outdated.connect(port));

    EXPECT_EQ(plain_get(port), 0u);  // no plain HTTP answer from a TLS endpoint

    // Both refusals were the server's, and show in its metrics with the certificate's expiry.
    std::string metrics;
    EXPECT_EQ(modern.get("/metrics", &metrics), 200u);
    EXPECT_TRUE(contains(metrics, "\npsguard_endpoint_tls_handshake_failures_total 2\n"))
        << metrics;
    EXPECT_TRUE(contains(metrics, "\npsguard_endpoint_certificate_expiry_timestamp_seconds "))
        << metrics;
}

// The slot rules hold over TLS too: with every slot taken, a newcomer gets the reserve (one
// /healthz or /v1/status, nothing else), and once the slot's holder has been idle a while, the
// newcomer takes its slot.
TEST_F(EndpointTlsTest, AFullTlsEndpointKeepsItsReserveAndFreesIdleSlots) {
    const auto port = start(tls_config(), 1);
    ASSERT_NE(port, 0);
    TlsClient holder(client());
    ASSERT_TRUE(holder.connect(port));
    ASSERT_EQ(holder.get("/healthz"), 200u);  // kept alive: the one slot stays taken

    TlsClient reserve_metrics(client());
    ASSERT_TRUE(reserve_metrics.connect(port));
    EXPECT_EQ(reserve_metrics.get("/metrics"), 503u) << "the reserve serves no /metrics";
    TlsClient reserve_status(client());
    ASSERT_TRUE(reserve_status.connect(port));
    EXPECT_EQ(reserve_status.get("/v1/status"), 200u);

    std::this_thread::sleep_for(1500ms);  // the holder idles past the grace (1 s)
    TlsClient newcomer(client());
    ASSERT_TRUE(newcomer.connect(port));
    std::string metrics;
    EXPECT_EQ(newcomer.get("/metrics", &metrics), 200u);
    EXPECT_TRUE(contains(metrics, "\npsguard_endpoint_idle_closed_total 1\n")) << metrics;
    EXPECT_EQ(holder.get("/healthz"), 0u) << "the idle holder's connection was closed";
}

TEST_F(EndpointTlsTest, WithAClientCaOnlyItsCertificatesAndTheEndpointsOwnAreServed) {
    test::make_ca(tree_.root(), "clients");
    test::issue_cert(
        tree_.root(), "client",
        {.ca_stem = "clients", .common_name = "scraper", .san = "DNS:scraper", .client = true});
    test::make_ca(tree_.root(), "others");
    test::issue_cert(
        tree_.root(), "stranger",
        {.ca_stem = "others", .common_name = "scraper", .san = "DNS:scraper", .client = true});
    auto tls = tls_config();
    tls.client_ca_file = file("clients.pem");
    const auto port = start(tls);
    ASSERT_NE(port, 0);

    // TLS 1.3 refuses a client certificate after the client's handshake ended: whatever the
    // step, a refused client gets no answer.
    const auto answer = [&](const std::string& stem) {
        TlsClient connection(client(stem));
        return connection.connect(port) ? connection.get("/healthz") : 0u;
    };
    EXPECT_EQ(answer(""), 0u) << "no client certificate";
    EXPECT_EQ(answer("stranger"), 0u) << "a certificate from another CA";
    EXPECT_EQ(answer("wrong-host"), 0u) << "the server CA's certificate, not a client CA's";
    EXPECT_EQ(answer("client"), 200u) << "a certificate from endpoint.tls.client_ca_file";
    EXPECT_EQ(answer("server"), 200u) << "the endpoint's own certificate and key (psguard status)";
}

TEST_F(EndpointTlsTest, AReloadServesARenewedCertificateToNewConnections) {
    const auto port = start(tls_config());
    ASSERT_NE(port, 0);
    TlsClient before(client());
    ASSERT_TRUE(before.connect(port));
    ASSERT_EQ(before.get("/healthz"), 200u);
    const std::string old_serial = before.peer_serial();
    ASSERT_FALSE(old_serial.empty());

    test::issue_cert(tree_.root(), "server");  // renewed in place: a new key, a new serial
    ASSERT_TRUE(server_->reload_tls(tls_config()).ok());
    TlsClient after(client());
    ASSERT_TRUE(after.connect(port));
    EXPECT_EQ(after.get("/healthz"), 200u);
    const std::string new_serial = after.peer_serial();
    EXPECT_NE(new_serial, old_serial);
    EXPECT_EQ(before.get("/healthz"), 200u) << "an open connection keeps its certificate";

    // A broken renewal is refused and the renewed certificate stays.
    std::ofstream(file("server.pem"), std::ios::trunc) << "not a certificate\n";
    const auto broken = server_->reload_tls(tls_config());
    ASSERT_FALSE(broken.ok());
    EXPECT_TRUE(contains(broken.error().message, "endpoint.tls.cert_file"));
    TlsClient still(client());
    ASSERT_TRUE(still.connect(port));
    EXPECT_EQ(still.get("/healthz"), 200u);
    EXPECT_EQ(still.peer_serial(), new_serial);

    const auto plain = server_->reload_tls(EndpointTlsConfig{});
    ASSERT_FALSE(plain.ok());
    EXPECT_TRUE(contains(plain.error().message, "needs a restart")) << plain.error().message;
}

}  // namespace
}  // namespace psguard
