#include "server.hpp"

#include <chrono>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "control_endpoint.hpp"
#include "emulator_state.hpp"
#include "error_pages.hpp"
#include "ns_endpoint.hpp"

namespace psguard::emulator {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

namespace {

constexpr std::size_t kHeaderLimit = 8 * 1024;
constexpr std::uint64_t kBodyLimit = 1024 * 1024;
constexpr std::chrono::seconds kReadTimeout{30};
constexpr std::chrono::seconds kWriteTimeout{30};
constexpr std::chrono::seconds kShutdownTimeout{5};

ssl::context make_tls_context(const std::filesystem::path& dir, const std::string& stem) {
    const auto cert = dir / (stem + ".pem");
    const auto key = dir / (stem + ".key");
    for (const auto& file : {cert, key}) {
        if (!std::filesystem::is_regular_file(file)) {
            throw std::runtime_error(file.string() + " is missing (write it with make-certs)");
        }
    }
    ssl::context context(ssl::context::tls_server);
    context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                        ssl::context::single_dh_use);
    boost::system::error_code ec;
    context.use_certificate_chain_file(cert.string(), ec);
    if (!ec) {
        context.use_private_key_file(key.string(), ssl::context::pem, ec);
    }
    if (ec) {
        throw std::runtime_error("cannot load " + cert.string() + " / " + key.string() + ": " +
                                 ec.message());
    }
    return context;
}

// Parser failures that deserve an answer rather than a silent close.
std::optional<http::status> status_for_read_error(const beast::error_code& ec) {
    if (ec == http::error::header_limit) {
        return http::status::request_header_fields_too_large;
    }
    if (ec == http::error::body_limit) {
        return http::status::payload_too_large;
    }
    const bool http_grammar = ec.category() == make_error_code(http::error::bad_method).category();
    // A message the peer simply did not finish (closed, timed out) gets no answer.
    if (http_grammar && ec != http::error::end_of_stream && ec != http::error::partial_message &&
        ec != http::error::need_more) {
        return http::status::bad_request;
    }
    return std::nullopt;
}

}  // namespace

struct Server::Shared {
    Shared(net::io_context& io, const ServerOptions& options, Scenario scenario)
        : acceptor(io), plain_http(options.plain_http) {
        state.scenario = std::move(scenario);
        if (!plain_http) {
            tls.emplace(make_tls_context(options.cert_dir, "server"));
            wrong_host_tls.emplace(make_tls_context(options.cert_dir, "wrong-host"));
        }
    }

    EmulatorState state;
    tcp::acceptor acceptor;
    bool plain_http;
    // Both built at startup; each new connection picks one by the fault in force.
    std::optional<ssl::context> tls;
    std::optional<ssl::context> wrong_host_tls;
};

namespace {

using Shared = Server::Shared;

Reply dispatch(const Request& request, EmulatorState& state) {
    try {
        if (is_control_target(to_std(request.target()))) {
            return answer_control_request(request, state);
        }
        return answer_ns_request(request, state);
    } catch (const std::exception& error) {
        // A bug in a handler must show up as an answer, not as a silently dropped connection.
        return make_reply(request, http::status::internal_server_error, "text/plain; charset=utf-8",
                          std::string("psguard-ns-emulator internal error: ") + error.what());
    }
}

// Sends `reply`; false when the connection must end afterwards.
template <class Stream>
net::awaitable<bool> deliver(Stream& stream, Reply& reply, beast::error_code& ec) {
    auto& tcp_layer = beast::get_lowest_layer(stream);
    tcp_layer.expires_after(kWriteTimeout);
    switch (reply.delivery) {
        case Delivery::complete:
            co_await http::async_write(stream, reply.response,
                                       net::redirect_error(net::use_awaitable, ec));
            co_return !ec && reply.response.keep_alive();
        case Delivery::truncated: {
            http::response_serializer<http::string_body> serializer{reply.response};
            co_await http::async_write_header(stream, serializer,
                                              net::redirect_error(net::use_awaitable, ec));
            if (!ec) {
                const std::string& body = reply.response.body();
                co_await net::async_write(stream, net::buffer(body.data(), body.size() / 2),
                                          net::redirect_error(net::use_awaitable, ec));
            }
            co_return false;
        }
        case Delivery::streamed: {
            http::response_serializer<http::string_body> serializer{reply.response};
            co_await http::async_write_header(stream, serializer,
                                              net::redirect_error(net::use_awaitable, ec));
            std::string chunk;
            while (!ec && reply.huge->next(chunk)) {
                tcp_layer.expires_after(kWriteTimeout);
                co_await net::async_write(stream, net::buffer(chunk),
                                          net::redirect_error(net::use_awaitable, ec));
            }
            co_return !ec && reply.response.keep_alive();
        }
    }
    co_return false;
}

// The request/response loop of one connection, TLS already established.
template <class Stream>
net::awaitable<void> serve_http(Stream& stream, EmulatorState& state) {
    auto& tcp_layer = beast::get_lowest_layer(stream);
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(kHeaderLimit);
        parser.body_limit(kBodyLimit);
        beast::error_code ec;
        tcp_layer.expires_after(kReadTimeout);
        co_await http::async_read(stream, buffer, parser,
                                  net::redirect_error(net::use_awaitable, ec));
        if (ec) {
            if (const auto status = status_for_read_error(ec)) {
                Reply reply = make_reply(
                    11, false, *status, "text/html; charset=us-ascii",
                    iis_error_page(static_cast<unsigned>(*status),
                                   to_std(http::obsolete_reason(*status)), ec.message()));
                reply.response.set(http::field::server, "Microsoft-HTTPAPI/2.0");
                co_await deliver(stream, reply, ec);
            }
            co_return;
        }
        Request request = parser.release();
        Reply reply = dispatch(request, state);
        if (reply.delay.count() > 0) {
            // Other connections keep being served while this one waits.
            tcp_layer.expires_never();
            net::steady_timer timer(co_await net::this_coro::executor, reply.delay);
            co_await timer.async_wait(net::redirect_error(net::use_awaitable, ec));
        }
        if (!co_await deliver(stream, reply, ec)) {
            co_return;
        }
    }
}

net::awaitable<void> serve_plain(std::shared_ptr<Shared> shared, tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    co_await serve_http(stream, shared->state);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

net::awaitable<void> serve_tls(std::shared_ptr<Shared> shared, tcp::socket socket,
                               bool wrong_host) {
    beast::ssl_stream<beast::tcp_stream> stream(
        std::move(socket), wrong_host ? *shared->wrong_host_tls : *shared->tls);
    beast::error_code ec;
    beast::get_lowest_layer(stream).expires_after(kReadTimeout);
    co_await stream.async_handshake(ssl::stream_base::server,
                                    net::redirect_error(net::use_awaitable, ec));
    if (ec) {
        co_return;  // not TLS, or the client rejected our certificate
    }
    co_await serve_http(stream, shared->state);
    beast::get_lowest_layer(stream).expires_after(kShutdownTimeout);
    co_await stream.async_shutdown(net::redirect_error(net::use_awaitable, ec));
}

net::awaitable<void> accept_loop(std::shared_ptr<Shared> shared) {
    for (;;) {
        beast::error_code ec;
        tcp::socket socket =
            co_await shared->acceptor.async_accept(net::redirect_error(net::use_awaitable, ec));
        if (ec == net::error::operation_aborted || !shared->acceptor.is_open()) {
            co_return;
        }
        const auto executor = co_await net::this_coro::executor;
        if (ec) {
            // Out of descriptors and the like: back off instead of spinning.
            std::cerr << "accept failed: " << ec.message() << '\n';
            net::steady_timer pause(executor, std::chrono::milliseconds(100));
            co_await pause.async_wait(net::redirect_error(net::use_awaitable, ec));
            continue;
        }
        if (shared->plain_http) {
            net::co_spawn(executor, serve_plain(shared, std::move(socket)), net::detached);
        } else {
            const bool wrong_host = shared->state.scenario.fault == Fault::wrong_host_cert;
            net::co_spawn(executor, serve_tls(shared, std::move(socket), wrong_host),
                          net::detached);
        }
    }
}

}  // namespace

Server::Server(net::io_context& io, const ServerOptions& options, Scenario scenario)
    : io_(io), shared_(std::make_shared<Shared>(io, options, std::move(scenario))) {
    beast::error_code ec;
    const auto address = net::ip::make_address(options.bind_address, ec);
    if (ec) {
        throw std::runtime_error("bad bind address " + options.bind_address);
    }
    const tcp::endpoint endpoint(address, options.port);
    tcp::acceptor& acceptor = shared_->acceptor;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) {
        acceptor.set_option(net::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
        acceptor.bind(endpoint, ec);
    }
    if (!ec) {
        acceptor.listen(net::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        throw std::runtime_error("cannot listen on " + options.bind_address + ":" +
                                 std::to_string(options.port) + ": " + ec.message());
    }
    port_ = acceptor.local_endpoint().port();
}

Server::~Server() {
    stop();
}

std::uint16_t Server::port() const {
    return port_;
}

void Server::start() {
    net::co_spawn(io_, accept_loop(shared_), net::detached);
}

void Server::stop() {
    beast::error_code ignored;
    shared_->acceptor.close(ignored);
}

}  // namespace psguard::emulator
