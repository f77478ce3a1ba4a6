#include "support/https_client.hpp"

#include <openssl/ssl.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/version.hpp>

#include <exception>
#include <type_traits>

namespace psguard::test {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

template <class Stream>
net::awaitable<void> exchange(Stream& stream, const ClientRequest& request,
                              ClientResponse& response) {
    auto& tcp_layer = beast::get_lowest_layer(stream);
    beast::error_code& ec = response.error;

    if (request.raw) {
        co_await net::async_write(stream, net::buffer(*request.raw),
                                  net::redirect_error(net::use_awaitable, ec));
    } else {
        http::request<http::string_body> message{request.method, request.target, 11};
        message.set(http::field::host, request.host);
        message.set(http::field::user_agent, "psguard-test-client");
        message.keep_alive(false);
        for (const auto& [name, value] : request.headers) {
            message.set(name, value);
        }
        if (!request.content_type.empty()) {
            message.set(http::field::content_type, request.content_type);
        }
        message.body() = request.body;
        message.prepare_payload();
        co_await http::async_write(stream, message, net::redirect_error(net::use_awaitable, ec));
    }
    if (ec) {
        response.error_stage = "write";
        co_return;
    }

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(request.body_limit);
    co_await http::async_read(stream, buffer, parser, net::redirect_error(net::use_awaitable, ec));
    if (ec) {
        response.error_stage = "read";
    }
    // Whatever arrived counts, also from a truncated answer.
    if (parser.is_header_done()) {
        auto& message = parser.get();
        response.status = message.result_int();
        response.headers = message.base();
        response.body = std::move(message.body());
        if (const auto declared = message.find(http::field::content_length);
            declared != message.end()) {
            response.content_length = std::stoull(std::string(declared->value()));
        }
    }
    tcp_layer.expires_never();
}

net::awaitable<void> run(const ClientRequest& request, ClientResponse& response,
                         ssl::context* tls) {
    const auto executor = co_await net::this_coro::executor;
    beast::tcp_stream tcp_stream(executor);
    tcp_stream.expires_after(request.timeout);
    beast::error_code& ec = response.error;
    const tcp::endpoint endpoint(net::ip::make_address(request.connect_address), request.port);
    co_await tcp_stream.async_connect(endpoint, net::redirect_error(net::use_awaitable, ec));
    if (ec) {
        response.error_stage = "connect";
        co_return;
    }
    if (tls == nullptr) {
        co_await exchange(tcp_stream, request, response);
        co_return;
    }

    beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp_stream), *tls);
    // SNI, without the header's macro (its C cast trips -Wold-style-cast).
    SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(request.host.c_str()));
    stream.set_verify_mode(ssl::verify_peer);
    if (request.verify_host_name) {
        stream.set_verify_callback(ssl::host_name_verification(request.host));
    }
    co_await stream.async_handshake(ssl::stream_base::client,
                                    net::redirect_error(net::use_awaitable, ec));
    if (ec) {
        response.error_stage = "handshake";
        co_return;
    }
    co_await exchange(stream, request, response);
    if (!response.error) {
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
        beast::error_code ignored;
        co_await stream.async_shutdown(net::redirect_error(net::use_awaitable, ignored));
    }
}

}  // namespace

ClientResponse https_request(const ClientRequest& request) {
    ClientResponse response;
    std::optional<ssl::context> tls;
    if (request.tls) {
        tls.emplace(ssl::context::tls_client);
        tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1);
        tls->load_verify_file(request.ca_file.string(), response.error);
        if (response.error) {
            response.error_stage = "ca_file";
            return response;
        }
    }
    net::io_context io;
    std::exception_ptr failure;
    net::co_spawn(io, run(request, response, tls ? &*tls : nullptr),
                  [&](std::exception_ptr error) { failure = error; });
    io.run();
    if (failure) {
        std::rethrow_exception(failure);
    }
    return response;
}

ClientResponse post_form(ClientRequest request, std::string target, std::string form_body) {
    request.method = http::verb::post;
    request.target = std::move(target);
    request.content_type = "application/x-www-form-urlencoded";
    request.body = std::move(form_body);
    return https_request(request);
}

std::string form_encode(std::string_view value) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : value) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
            (byte >= '0' && byte <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
            out += c;
        } else {
            out += '%';
            out += kHex[byte >> 4];
            out += kHex[byte & 15];
        }
    }
    return out;
}

}  // namespace psguard::test
