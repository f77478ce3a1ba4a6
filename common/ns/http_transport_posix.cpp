// Boost.Beast over OpenSSL. One request per connection: the NS is asked once per cycle, so
// keeping connections alive would only add state. The timeout is one deadline for the whole
// exchange (resolve, connect, handshake, write, read), not per operation.
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include <utility>  // Boost 1.74's awaitable.hpp uses std::exchange without including it

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "core/utf8_path.hpp"
#include "ns/http_transport.hpp"

namespace psguard {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

constexpr std::uint32_t kHeaderLimit = 64 * 1024;

std::string base64(std::string_view text) {
    std::string out(4 * ((text.size() + 2) / 3) + 1, '\0');
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                        reinterpret_cast<const unsigned char*>(text.data()),
                                        static_cast<int>(text.size()));
    out.resize(static_cast<std::size_t>(written));
    return out;
}

TransportError classify(const beast::error_code& ec, TransportFailure stage_kind,
                        std::string_view stage) {
    if (ec == beast::error::timeout || ec == asio::error::operation_aborted) {
        return {TransportFailure::timeout, std::string(stage) + ": timed out"};
    }
    std::string message = std::string(stage) + ": " + ec.message();
    if (ec == http::error::body_limit) {
        return {TransportFailure::too_large, std::move(message)};
    }
    if (ec.category() == asio::error::get_ssl_category() ||
        ec.category() == ssl::error::get_stream_category()) {
        return {TransportFailure::tls, std::move(message)};
    }
    return {stage_kind, std::move(message)};
}

using Request = http::request<http::string_body>;
using asio::awaitable;
using asio::redirect_error;
using asio::use_awaitable;

class BeastTransport final : public HttpTransport {
  public:
    explicit BeastTransport(TransportOptions options) : options_(std::move(options)) {}

    TransportOutcome post_form(const std::string& path_and_query,
                               const std::string& form_body) override {
        Request request{http::verb::post, path_and_query, 11};
        request.set(http::field::host, options_.endpoint.host);
        request.set(http::field::user_agent, "psguard/" PSGUARD_VERSION);
        request.set(http::field::content_type, "application/x-www-form-urlencoded");
        request.set(http::field::accept, "text/xml");
        request.set(http::field::connection, "close");
        if (options_.auth == AuthType::basic) {
            request.set(http::field::authorization,
                        "Basic " + base64(options_.username + ":" + options_.password));
        }
        request.body() = form_body;
        request.prepare_payload();

        TransportOutcome outcome;
        asio::io_context io;
        ssl::context context(ssl::context::tls_client);  // must outlive io.run()
        if (options_.endpoint.https) {
            if (auto problem = configure_tls(context)) {
                outcome.error = std::move(problem);
                return outcome;
            }
            asio::co_spawn(io, exchange_tls(request, context, outcome), asio::detached);
        } else {
            asio::co_spawn(io, exchange_plain(request, outcome), asio::detached);
        }
        io.run();
        if (!outcome.response && !outcome.error) {
            outcome.error = TransportError{TransportFailure::protocol, "no answer"};
        }
        return outcome;
    }

  private:
    // Verification on, TLS 1.2 at least, the system trust store plus ns.ca_file.
    std::optional<TransportError> configure_tls(ssl::context& context) const {
        beast::error_code ec;
        SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
        context.set_verify_mode(ssl::verify_peer, ec);
        context.set_default_verify_paths(ec);
        if (ec) {
            return TransportError{TransportFailure::configuration,
                                  "cannot load the system trust store: " + ec.message()};
        }
        if (options_.ca_file) {
            context.load_verify_file(path_to_utf8(*options_.ca_file), ec);
            if (ec) {
                return TransportError{TransportFailure::configuration,
                                      "cannot load ns.ca_file " + path_to_utf8(*options_.ca_file) +
                                          ": " + ec.message()};
            }
        }
        return std::nullopt;
    }

    awaitable<bool> connect(beast::tcp_stream& stream, TransportOutcome& outcome) {
        stream.expires_after(options_.timeout);
        tcp::resolver resolver(stream.get_executor());
        beast::error_code ec;
        const auto endpoints = co_await resolver.async_resolve(
            options_.endpoint.host, std::to_string(options_.endpoint.port),
            redirect_error(use_awaitable, ec));
        if (ec) {
            outcome.error =
                classify(ec, TransportFailure::resolve, "resolve " + options_.endpoint.host);
            co_return false;
        }
        co_await stream.async_connect(endpoints, redirect_error(use_awaitable, ec));
        if (ec) {
            outcome.error = classify(ec, TransportFailure::connect,
                                     "connect to " + options_.endpoint.host + ":" +
                                         std::to_string(options_.endpoint.port));
            co_return false;
        }
        co_return true;
    }

    template <typename Stream>
    awaitable<void> send_and_receive(Stream& stream, Request& request, TransportOutcome& outcome) {
        beast::error_code ec;
        co_await http::async_write(stream, request, redirect_error(use_awaitable, ec));
        if (ec) {
            outcome.error = classify(ec, TransportFailure::protocol, "send");
            co_return;
        }
        beast::flat_buffer buffer;
        http::response_parser<http::string_body> parser;
        parser.header_limit(kHeaderLimit);
        parser.body_limit(options_.max_response_bytes);
        co_await http::async_read(stream, buffer, parser, redirect_error(use_awaitable, ec));
        if (ec) {
            outcome.error = classify(ec, TransportFailure::protocol, "receive");
            co_return;
        }
        auto response = parser.release();
        HttpResponse result;
        result.status = static_cast<int>(response.result_int());
        result.content_type = std::string(response[http::field::content_type]);
        result.body = std::move(response.body());
        outcome.response = std::move(result);
    }

    awaitable<void> exchange_plain(Request& request, TransportOutcome& outcome) {
        beast::tcp_stream stream(co_await asio::this_coro::executor);
        if (!co_await connect(stream, outcome)) {
            co_return;
        }
        co_await send_and_receive(stream, request, outcome);
        beast::error_code ignored;
        stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    }

    awaitable<void> exchange_tls(Request& request, ssl::context& context,
                                 TransportOutcome& outcome) {
        beast::ssl_stream<beast::tcp_stream> stream(co_await asio::this_coro::executor, context);
        // SNI, and the name the certificate must carry.
        // SSL_set_tlsext_host_name is a macro with a C cast; call what it expands to.
        if (SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME,
                     TLSEXT_NAMETYPE_host_name,
                     const_cast<char*>(options_.endpoint.host.c_str())) != 1) {
            outcome.error = TransportError{TransportFailure::tls, "cannot set the SNI host name"};
            co_return;
        }
        stream.set_verify_callback(ssl::host_name_verification(options_.endpoint.host));
        if (!co_await connect(beast::get_lowest_layer(stream), outcome)) {
            co_return;
        }
        beast::error_code ec;
        co_await stream.async_handshake(ssl::stream_base::client,
                                        redirect_error(use_awaitable, ec));
        if (ec) {
            outcome.error =
                classify(ec, TransportFailure::tls, "TLS handshake with " + options_.endpoint.host);
            co_return;
        }
        co_await send_and_receive(stream, request, outcome);
        // The NS closes after "Connection: close"; a missing close_notify changes nothing here.
        beast::get_lowest_layer(stream).close();
    }

    TransportOptions options_;
};

}  // namespace

std::unique_ptr<HttpTransport> make_http_transport(TransportOptions options) {
    return std::make_unique<BeastTransport>(std::move(options));
}

}  // namespace psguard
