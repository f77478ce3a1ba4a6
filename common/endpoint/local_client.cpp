#include "endpoint/local_client.hpp"

// First: Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <memory>
#include <type_traits>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "endpoint/endpoint_tls.hpp"

namespace psguard {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

namespace {

constexpr std::uint64_t kMaxBody = 16ull * 1024 * 1024;

Result<tcp::endpoint> connect_address(const EndpointConfig& config) {
    boost::system::error_code ec;
    auto address = net::ip::make_address(config.bind_address, ec);
    if (ec) {
        return fail("endpoint.bind_address \"" + config.bind_address + "\" is not an IP address");
    }
    if (address.is_unspecified()) {
        address = address.is_v4() ? net::ip::address(net::ip::address_v4::loopback())
                                  : net::ip::address(net::ip::address_v6::loopback());
    }
    return tcp::endpoint(address, config.port);
}

}  // namespace

std::string local_endpoint_text(const EndpointConfig& config) {
    auto endpoint = connect_address(config);
    if (!endpoint) {
        return config.bind_address + ":" + std::to_string(config.port);
    }
    const auto address = endpoint->address();
    return (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
           std::to_string(endpoint->port());
}

std::string local_endpoint_url(const EndpointConfig& config) {
    return (config.tls.enabled() ? "https://" : "http://") + local_endpoint_text(config);
}

namespace {

Result<LocalResponse> exchange(const EndpointConfig& config, http::verb method,
                               const std::string& target, const std::string& bearer_token,
                               std::chrono::milliseconds timeout) {
    auto endpoint = connect_address(config);
    if (!endpoint) {
        return endpoint.error();
    }
    std::shared_ptr<net::ssl::context> tls;
    if (config.tls.enabled()) {
        auto loaded = load_local_client_tls(config.tls);
        if (!loaded) {
            return fail("cannot speak TLS to the endpoint: " + loaded.error().message);
        }
        tls = std::move(loaded).value();
    }
    const std::string where = local_endpoint_url(config) + target;
    http::request<http::empty_body> request(method, target, 11);
    if (!bearer_token.empty()) {
        request.set(http::field::authorization, "Bearer " + bearer_token);
    }
    request.prepare_payload();
    request.set(http::field::host, local_endpoint_text(config));
    request.set(http::field::user_agent, "psguard");
    request.set(http::field::connection, "close");
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxBody);
    boost::system::error_code failure;
    const char* stage = "connect";

    // One chain of steps under a single deadline (a tcp_stream's expiry covers every
    // operation until it is set again).
    auto talk = [&](auto& stream) -> net::awaitable<void> {
        auto step = net::redirect_error(net::use_awaitable, failure);
        beast::get_lowest_layer(stream).expires_after(timeout);
        co_await beast::get_lowest_layer(stream).async_connect(*endpoint, step);
        if constexpr (std::is_same_v<std::decay_t<decltype(stream)>, TlsStream>) {
            if (!failure) {
                stage = "TLS handshake";
                co_await stream.async_handshake(net::ssl::stream_base::client, step);
            }
        }
        if (!failure) {
            stage = "request";
            co_await http::async_write(stream, request, step);
        }
        if (!failure) {
            stage = "answer";
            co_await http::async_read(stream, buffer, parser, step);
        }
    };
    net::io_context io;
    if (tls) {
        TlsStream stream(io, *tls);
        net::co_spawn(io, talk(stream), net::detached);
        io.run();
    } else {
        beast::tcp_stream stream(io);
        net::co_spawn(io, talk(stream), net::detached);
        io.run();
    }
    if (failure) {
        const std::string why = failure == beast::error::timeout
                                    ? "no answer within " + std::to_string(timeout.count()) + " ms"
                                    : std::string(stage) + ": " + failure.message();
        return fail("no answer from " + where + ": " + why);
    }
    LocalResponse response;
    response.status = static_cast<int>(parser.get().result_int());
    response.body = std::move(parser.get().body());
    return response;
}

}  // namespace

Result<LocalResponse> get_local(const EndpointConfig& config, const std::string& target,
                                std::chrono::milliseconds timeout,
                                const std::string& bearer_token) {
    return exchange(config, http::verb::get, target, bearer_token, timeout);
}

Result<LocalResponse> post_local(const EndpointConfig& config, const std::string& target,
                                 const std::string& bearer_token,
                                 std::chrono::milliseconds timeout) {
    return exchange(config, http::verb::post, target, bearer_token, timeout);
}

}  // namespace psguard
