#include "endpoint/local_client.hpp"

#include <utility>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace psguard {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

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

namespace {

Result<LocalResponse> exchange(const EndpointConfig& config, http::verb method,
                               const std::string& target, const std::string& bearer_token,
                               std::chrono::milliseconds timeout) {
    auto endpoint = connect_address(config);
    if (!endpoint) {
        return endpoint.error();
    }
    const std::string where = "http://" + local_endpoint_text(config) + target;
    net::io_context io;
    beast::tcp_stream stream(io);
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

    // One chain of asynchronous steps, so that a single deadline covers all of them.
    stream.expires_after(timeout);
    stream.async_connect(*endpoint, [&](boost::system::error_code connected) {
        if (connected) {
            failure = connected;
            return;
        }
        http::async_write(stream, request, [&](boost::system::error_code written, std::size_t) {
            if (written) {
                failure = written;
                return;
            }
            http::async_read(stream, buffer, parser,
                             [&](boost::system::error_code read, std::size_t) { failure = read; });
        });
    });
    io.run();
    if (failure) {
        const std::string why = failure == beast::error::timeout
                                    ? "no answer within " + std::to_string(timeout.count()) + " ms"
                                    : failure.message();
        return fail("no answer from " + where + ": " + why);
    }
    LocalResponse response;
    response.status = static_cast<int>(parser.get().result_int());
    response.body = std::move(parser.get().body());
    return response;
}

}  // namespace

Result<LocalResponse> get_local(const EndpointConfig& config, const std::string& target,
                                std::chrono::milliseconds timeout) {
    return exchange(config, http::verb::get, target, {}, timeout);
}

Result<LocalResponse> post_local(const EndpointConfig& config, const std::string& target,
                                 const std::string& bearer_token,
                                 std::chrono::milliseconds timeout) {
    return exchange(config, http::verb::post, target, bearer_token, timeout);
}

}  // namespace psguard
