#include "endpoint/status_server.hpp"

// First: Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "core/utf8_path.hpp"
#include "endpoint/document_renderer.hpp"
#include "endpoint/endpoint_tls.hpp"
#include "endpoint/routes.hpp"
#include "endpoint/token_file.hpp"

namespace psguard {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

namespace {

constexpr std::uint64_t kPostBodyLimit = 1024;  // POST /v1/check takes no parameters
constexpr std::chrono::seconds kWriteTimeout{10};
// After the last answer: read and discard what the client still sends for this long, so that
// closing with unread bytes does not reset the connection before the answer was read.
constexpr std::chrono::seconds kLingerTime{1};
constexpr std::size_t kLingerBytes = 64 * 1024;
constexpr std::chrono::milliseconds kAcceptBackoff{100};
// While every slot is taken, a newcomer may have the slot of a connection that has waited this
// long without sending a byte of its next request (a held-open idle socket, an idle keep-alive).
constexpr std::chrono::seconds kIdleGrace{1};
// Beyond endpoint.max_connections: this many more for GET/HEAD /healthz and /v1/status only (what
// monitors and `psguard status` ask), one request each with a short deadline, so that a full
// server still answers its health check.
constexpr std::size_t kReserveConnections = 4;
constexpr std::chrono::seconds kReserveReadTimeout{2};

#ifdef _WIN32
// SO_EXCLUSIVEADDRUSE: no other socket may bind our port (Windows' SO_REUSEADDR would allow it).
struct ExclusiveAddressUse {
    template <class Protocol>
    int level(const Protocol&) const {
        return SOL_SOCKET;
    }
    template <class Protocol>
    int name(const Protocol&) const {
        return SO_EXCLUSIVEADDRUSE;
    }
    template <class Protocol>
    const void* data(const Protocol&) const {
        return &value;
    }
    template <class Protocol>
    std::size_t size(const Protocol&) const {
        return sizeof(value);
    }
    int value = 1;
};
#endif

}  // namespace

struct StatusServer::State {
    State(net::io_context& io, EndpointConfig endpoint_config, AgentControl& agent_control)
        : strand(net::make_strand(io)),
          acceptor(strand),
          slot_freed(strand),
          config(std::move(endpoint_config)),
          agent(agent_control) {}

    // One open connection, for shutdown() and for closing idle ones when the slots run out.
    struct Connection {
        beast::tcp_stream* stream = nullptr;
        net::ip::address peer;
        std::size_t* budget = nullptr;  // the counter it occupies; null once closed for a newcomer
        // Set while it waits for a request of which nothing has arrived yet.
        std::optional<std::chrono::steady_clock::time_point> idle_since;
    };

    // Runs on the strand: ends every connection, whatever it is waiting for.
    void shutdown() {
        stopping = true;
        beast::error_code ignored;
        acceptor.close(ignored);
        slot_freed.cancel();
        for (auto& [id, connection] : connections) {
            connection.stream->close();  // pending operations complete with operation_aborted
        }
    }

    net::strand<net::io_context::executor_type> strand;
    tcp::acceptor acceptor;
    // While every slot (served and refused) is taken, the accept loop waits on this timer, which
    // never expires: a connection that ends cancels it.
    net::steady_timer slot_freed;
    bool accept_paused = false;
    EndpointConfig config;
    // With endpoint.tls: the context for new connections (each keeps the one it started with).
    std::shared_ptr<net::ssl::context> tls;
    AgentControl& agent;
    // Renders what a request needs and the snapshot has not cached yet, off the strand.
    DocumentRenderer renderer;
    RouteOptions routes;
    EndpointStats stats;
    std::size_t reserved = 0;  // connections in the reserve (kReserveConnections)
    std::size_t refusing = 0;  // connections being answered 503
    bool started = false;
    bool stopping = false;
    std::uint64_t next_connection_id = 0;
    std::unordered_map<std::uint64_t, Connection> connections;
    std::map<net::ip::address, std::size_t> connections_per_peer;
};

namespace {

using State = StatusServer::State;

// A connection's place in the registry and in its counter, for exactly its lifetime.
class ConnectionSlot {
  public:
    ConnectionSlot(State& state, beast::tcp_stream& stream, std::size_t& counter)
        : state_(state), id_(state.next_connection_id++) {
        beast::error_code ec;
        const auto peer = stream.socket().remote_endpoint(ec).address();
        state_.connections.emplace(id_, State::Connection{&stream, peer, &counter, std::nullopt});
        ++state_.connections_per_peer[peer];
    }
    ~ConnectionSlot() {
        const auto it = state_.connections.find(id_);
        if (it->second.budget != nullptr) {
            --*it->second.budget;
        }
        if (--state_.connections_per_peer[it->second.peer] == 0) {
            state_.connections_per_peer.erase(it->second.peer);
        }
        state_.connections.erase(it);
        if (state_.accept_paused) {
            state_.slot_freed.cancel();
        }
    }
    ConnectionSlot(const ConnectionSlot&) = delete;
    ConnectionSlot& operator=(const ConnectionSlot&) = delete;

    // Waiting for a request of which nothing has arrived yet: the slot may go to a newcomer.
    void set_idle(bool idle) {
        auto& since = state_.connections.at(id_).idle_since;
        if (idle) {
            since = std::chrono::steady_clock::now();
        } else {
            since.reset();
        }
    }

  private:
    State& state_;
    std::uint64_t id_;
};

// Every slot is taken and a newcomer from `peer` arrives: closes the served connection that has
// been idle longest (at least kIdleGrace), of the newcomer's own peer first, then of the peer
// holding the most connections, and frees its slot at once. False when none is idle that long.
bool close_idle_connection(State& state, const net::ip::address& peer) {
    const auto now = std::chrono::steady_clock::now();
    const auto rank = [&](const State::Connection& connection) {
        return std::tuple(connection.peer == peer, state.connections_per_peer.at(connection.peer),
                          now - *connection.idle_since);
    };
    State::Connection* chosen = nullptr;
    for (auto& [id, connection] : state.connections) {
        if (connection.budget != &state.stats.open_connections || !connection.idle_since ||
            now - *connection.idle_since < kIdleGrace) {
            continue;
        }
        if (chosen == nullptr || rank(connection) > rank(*chosen)) {
            chosen = &connection;
        }
    }
    if (chosen == nullptr) {
        return false;
    }
    --*chosen->budget;
    chosen->budget = nullptr;
    chosen->idle_since.reset();
    chosen->stream->close();  // its pending read completes with operation_aborted
    ++state.stats.idle_closed_total;
    return true;
}

// The routes a reserve connection may ask for.
bool reserve_route(std::string_view target) {
    const std::string_view path = target_path(target);
    return path == "/healthz" || path == "/v1/status";
}

// The agent as one request sees it: its snapshot read once, so that handle() answers from the
// snapshot whose document was just rendered off the strand, not from one published meanwhile
// (whose render would then run on the strand).
class RequestSnapshotAgent final : public AgentControl {
  public:
    explicit RequestSnapshotAgent(AgentControl& agent) : agent_(agent) {}
    std::shared_ptr<const AgentSnapshot> snapshot() const override {
        if (!snapshot_) {
            snapshot_ = agent_.snapshot();
        }
        return *snapshot_;
    }
    TriggerResult request_cycle() override { return agent_.request_cycle(); }
    bool healthy(TimePoint now) const override { return agent_.healthy(now); }

  private:
    AgentControl& agent_;
    mutable std::optional<std::shared_ptr<const AgentSnapshot>> snapshot_;
};

// The route's answer. A document the snapshot has not rendered yet is rendered on the renderer's
// thread while this connection waits, so the strand goes on accepting and serving the others; a
// cached one is answered at once, without leaving the strand. The uptime and counters are
// spliced in here, on the strand, which owns the counters.
net::awaitable<Response> answer_route(State& state, const Request& request) {
    RequestSnapshotAgent agent(state.agent);
    if (auto pending = pending_render(request, agent, state.routes)) {
        const Status rendered =
            co_await state.renderer.render(std::move(pending->snapshot), pending->document);
        if (!rendered) {
            co_return error_response(500, rendered.error().message);
        }
    }
    co_return handle(request, agent, state.routes, now_seconds(), state.stats);
}

Response too_many_connections() {
    Response response =
        error_response(503, "too many connections (endpoint.max_connections); retry shortly");
    response.headers.emplace_back("Retry-After", "1");
    return response;
}

http::response<http::string_body> to_message(Response response, unsigned version, bool keep_alive,
                                             bool head) {
    http::response<http::string_body> message;
    message.version(version);
    message.result(response.status);
    message.set(http::field::server, "psguard");
    message.set(http::field::content_type, response.content_type);
    message.set(http::field::cache_control, "no-store");
    message.set("X-Content-Type-Options", "nosniff");
    for (auto& [name, value] : response.headers) {
        message.set(name, value);
    }
    message.keep_alive(keep_alive);
    if (head) {
        message.content_length(response.body.size());  // what GET would send, but no body
        return message;
    }
    message.body() = std::move(response.body);
    message.prepare_payload();
    return message;
}

// Writes what the socket takes now, without waiting. True when that settled the answer: written
// whole, or failed (`ec`); false when the rest must wait for room in the socket's buffer.
bool write_without_waiting(tcp::socket& socket,
                           http::response_serializer<http::string_body>& serializer,
                           beast::error_code& ec) {
    if (!socket.non_blocking()) {
        // Makes the synchronous write_some below return would_block instead of blocking; Asio's
        // asynchronous operations do not block either way. Where it cannot be set, all of the
        // answer is written asynchronously.
        if (socket.non_blocking(true, ec); ec) {
            ec = {};
            return false;
        }
    }
    while (!serializer.is_done()) {
        http::write_some(socket, serializer, ec);
        if (ec == net::error::would_block || ec == net::error::try_again) {
            ec = {};
            return false;
        }
        if (ec) {
            return true;
        }
    }
    return true;
}

// Over plain TCP an answer of a few KB usually fits the socket's send buffer: written at once,
// it costs no asynchronous operation (no deadline timer, no completion through the strand).
// What does not fit is written asynchronously under the write deadline, as over TLS.
template <class Stream>
net::awaitable<void> write_response(Stream& stream, Response response, unsigned version,
                                    bool keep_alive, beast::error_code& ec, bool head = false) {
    auto message = to_message(std::move(response), version, keep_alive, head);
    http::response_serializer<http::string_body> serializer(message);
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
        if (write_without_waiting(stream.socket(), serializer, ec)) {
            co_return;
        }
    }
    beast::get_lowest_layer(stream).expires_after(kWriteTimeout);
    co_await http::async_write(stream, serializer, net::redirect_error(net::use_awaitable, ec));
}

net::awaitable<void> close_gracefully(const State& state, beast::tcp_stream& stream) {
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (!ec && !state.stopping) {
        stream.expires_after(kLingerTime);
        std::array<char, 1024> sink{};
        std::size_t drained = 0;
        while (!ec && drained < kLingerBytes) {
            drained += co_await stream.async_read_some(net::buffer(sink),
                                                       net::redirect_error(net::use_awaitable, ec));
        }
    }
    stream.close();
}

// TLS: close_notify (the client knows the answer is complete), waiting at most the linger time
// for the client's own.
net::awaitable<void> close_gracefully(const State& state, TlsStream& stream) {
    if (!state.stopping) {
        beast::error_code ec;
        beast::get_lowest_layer(stream).expires_after(kLingerTime);
        co_await stream.async_shutdown(net::redirect_error(net::use_awaitable, ec));
    }
    beast::get_lowest_layer(stream).close();
}

// A client that does not complete the handshake in time, or whose certificate is refused, is
// dropped without an answer (counted: a scraper with a wrong certificate shows up there).
net::awaitable<bool> handshake(State& state, TlsStream& stream, std::chrono::seconds limit) {
    beast::error_code ec;
    beast::get_lowest_layer(stream).expires_after(limit);
    co_await stream.async_handshake(net::ssl::stream_base::server,
                                    net::redirect_error(net::use_awaitable, ec));
    if (ec) {
        if (!state.stopping && ec != net::error::operation_aborted) {
            ++state.stats.tls_handshake_failures_total;
        }
        beast::get_lowest_layer(stream).close();
        co_return false;
    }
    co_return true;
}

// What a failed read deserves: an answer (status, reason), or nullopt for a silent close.
std::optional<std::pair<unsigned, std::string>> answer_for_read_error(
    const beast::error_code& ec, const http::request_parser<http::string_body>& parser) {
    if (ec == http::error::header_limit) {
        return std::pair{431u, std::string("the request's headers are too large")};
    }
    if (ec == http::error::buffer_overflow) {
        return parser.is_header_done()
                   ? std::pair{413u, std::string("the request's body is too large")}
                   : std::pair{431u, std::string("the request's headers are too large")};
    }
    if (ec == http::error::body_limit) {
        if (parser.get().method() == http::verb::post) {
            return std::pair{413u, std::string("the request's body is too large")};
        }
        return std::pair{400u, std::string("only POST requests may carry a body")};
    }
    if (ec == http::error::partial_message) {
        // The client stopped sending mid-request (half-closed): it may still read the answer.
        return std::pair{400u, std::string("incomplete request")};
    }
    if (ec == http::error::end_of_stream || ec == http::error::need_more) {
        return std::nullopt;  // closed between requests
    }
    if (ec.category() == make_error_code(http::error::bad_method).category()) {
        return std::pair{400u, "malformed request: " + ec.message()};
    }
    return std::nullopt;  // reset, aborted, timed out: nobody to answer
}

// Feeds what the buffer holds to the parser. True when that settled the header: it is complete,
// or the bytes are already an error (`ec`, as async_read_header would report it); false when
// the header needs more bytes than have arrived.
bool parse_buffered_header(http::request_parser<http::string_body>& parser,
                           beast::flat_buffer& buffer, beast::error_code& ec) {
    if (buffer.size() == 0) {
        return false;
    }
    buffer.consume(parser.put(buffer.data(), ec));
    if (ec == http::error::need_more) {
        ec = {};
        return false;
    }
    return ec || parser.is_header_done();
}

// `reserve`: a connection of the reserve (kReserveConnections): one request, a short deadline,
// /healthz and /v1/status only.
template <class Stream>
net::awaitable<void> serve(std::shared_ptr<State> state, Stream& stream, ConnectionSlot& slot,
                           bool reserve) {
    auto& socket_stream = beast::get_lowest_layer(stream);
    const auto read_timeout =
        reserve ? std::min<std::chrono::seconds>(state->config.read_timeout, kReserveReadTimeout)
                : state->config.read_timeout;
    // Bounded: a request never needs more than its headers and the POST body limit.
    beast::flat_buffer buffer(state->config.max_header_bytes + kPostBodyLimit + 1024);
    for (;;) {
        if (state->stopping) {
            socket_stream.close();
            co_return;
        }
        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(state->config.max_header_bytes));
        parser.body_limit(kPostBodyLimit);
        beast::error_code ec;
        // One deadline for the whole request: a client trickling bytes is dropped all the same.
        socket_stream.expires_after(read_timeout);
        if (buffer.size() == 0) {
            // Nothing of the next request yet: idle, so a newcomer may take this slot.
            slot.set_idle(true);
            const std::size_t got = co_await stream.async_read_some(
                buffer.prepare(std::min<std::size_t>(4096, buffer.max_size())),
                net::redirect_error(net::use_awaitable, ec));
            buffer.commit(got);
            slot.set_idle(false);
            if (ec) {
                socket_stream.close();  // closed, reset, idle too long or closed for a newcomer
                co_return;
            }
        }
        // A request usually arrives whole: its header is parsed from the buffer at once, without
        // another asynchronous operation (whose completion would go through the strand again).
        if (!parse_buffered_header(parser, buffer, ec)) {
            co_await http::async_read_header(stream, buffer, parser,
                                             net::redirect_error(net::use_awaitable, ec));
        }
        std::optional<std::pair<unsigned, std::string>> refusal;
        if (!ec && parser.get().method() != http::verb::post &&
            (parser.chunked() || parser.content_length().value_or(0) > 0)) {
            refusal = std::pair{400u, std::string("only POST requests may carry a body")};
        } else if (!ec && !parser.is_done()) {
            co_await http::async_read(stream, buffer, parser,
                                      net::redirect_error(net::use_awaitable, ec));
        }
        if (ec && !refusal) {
            if (ec == beast::error::timeout && parser.got_some()) {
                ++state->stats.timeouts_total;
            }
            refusal = answer_for_read_error(ec, parser);
            if (!refusal || ec == net::error::operation_aborted || state->stopping) {
                socket_stream.close();
                co_return;
            }
        }
        if (refusal) {
            ++state->stats.bad_requests_total;
            const unsigned version = parser.is_header_done() ? parser.get().version() : 11;
            co_await write_response(stream, error_response(refusal->first, refusal->second),
                                    version, false, ec);
            co_await close_gracefully(*state, stream);
            co_return;
        }

        const auto& message = parser.get();
        Request request;
        request.method = std::string(message.method_string());
        request.target = std::string(message.target());
        if (const auto found = message.find(http::field::authorization); found != message.end()) {
            request.authorization = std::string(found->value());
        }
        ++state->stats.requests_total;
        Response response;
        if (reserve && !reserve_route(request.target)) {
            response = too_many_connections();
        } else {
            response = co_await answer_route(*state, request);
        }
        const bool keep_alive = message.keep_alive() && !state->stopping && !reserve;
        co_await write_response(stream, std::move(response), message.version(), keep_alive, ec,
                                message.method() == http::verb::head);
        if (ec) {
            socket_stream.close();
            co_return;
        }
        if (!keep_alive) {
            co_await close_gracefully(*state, stream);
            co_return;
        }
    }
}

// Over endpoint.max_connections: a 503 at once, without reading the request.
template <class Stream>
net::awaitable<void> refuse(std::shared_ptr<State> state, Stream& stream) {
    if (state->stopping) {
        beast::get_lowest_layer(stream).close();
        co_return;
    }
    beast::error_code ec;
    co_await write_response(stream, too_many_connections(), 11, false, ec);
    co_await close_gracefully(*state, stream);
}

// How an accepted connection is taken: served, in the reserve, or answered 503.
enum class Admission { served, reserve, refused };

// One accepted connection, over TLS when the endpoint has a certificate. Plain statements
// around each co_await: written as `if (co_await handshake(...))` and
// `co_await (refusal ? refuse(...) : serve(...))`, GCC 12's coroutine frame crashed on the first
// failed handshake.
net::awaitable<void> connection(std::shared_ptr<State> state, tcp::socket socket,
                                Admission admission) {
    std::size_t& counter = admission == Admission::refused   ? state->refusing
                           : admission == Admission::reserve ? state->reserved
                                                             : state->stats.open_connections;
    const bool refusal = admission == Admission::refused;
    const bool reserve = admission == Admission::reserve;
    const std::shared_ptr<net::ssl::context> tls = state->tls;  // for the connection's lifetime
    if (!tls) {
        beast::tcp_stream stream(std::move(socket));
        ConnectionSlot slot(*state, stream, counter);
        if (refusal) {
            co_await refuse(state, stream);
        } else {
            co_await serve(state, stream, slot, reserve);
        }
        co_return;
    }
    TlsStream stream(std::move(socket), *tls);
    ConnectionSlot slot(*state, beast::get_lowest_layer(stream), counter);
    // A refusal's or a reserve connection's slot frees within seconds, handshake included.
    const auto handshake_limit =
        refusal   ? std::chrono::seconds(kLingerTime)
        : reserve ? std::min<std::chrono::seconds>(state->config.read_timeout, kReserveReadTimeout)
                  : state->config.read_timeout;
    const bool secured = co_await handshake(*state, stream, handshake_limit);
    if (!secured) {
        co_return;
    }
    if (refusal) {
        co_await refuse(state, stream);
    } else {
        co_await serve(state, stream, slot, reserve);
    }
}

net::awaitable<void> accept_loop(std::shared_ptr<State> state) {
    const std::size_t limit = state->config.max_connections;
    for (;;) {
        beast::error_code ec;
        if (state->stats.open_connections >= limit && state->reserved >= kReserveConnections &&
            state->refusing >= limit) {
            // Even the 503 answers are at their limit: accept nothing more until a connection
            // ends. Newcomers wait in the system's listen backlog meanwhile, unanswered but not
            // dropped, and nothing grows here.
            state->accept_paused = true;
            state->slot_freed.expires_at(net::steady_timer::time_point::max());
            co_await state->slot_freed.async_wait(net::redirect_error(net::use_awaitable, ec));
            state->accept_paused = false;
            if (state->stopping) {
                co_return;
            }
            continue;
        }
        tcp::socket socket =
            co_await state->acceptor.async_accept(net::redirect_error(net::use_awaitable, ec));
        if (state->stopping || !state->acceptor.is_open()) {
            co_return;
        }
        if (ec) {
            // Out of descriptors and the like: pause instead of spinning.
            ++state->stats.accept_errors_total;
            net::steady_timer pause(state->strand, kAcceptBackoff);
            co_await pause.async_wait(net::redirect_error(net::use_awaitable, ec));
            continue;
        }
        ++state->stats.connections_total;
        const auto peer = socket.remote_endpoint(ec).address();
        // Counted here, not in the coroutine: co_spawn starts it later, after more accepts.
        if (state->stats.open_connections < limit || close_idle_connection(*state, peer)) {
            ++state->stats.open_connections;
            net::co_spawn(state->strand, connection(state, std::move(socket), Admission::served),
                          net::detached);
        } else if (state->reserved < kReserveConnections) {
            ++state->reserved;
            net::co_spawn(state->strand, connection(state, std::move(socket), Admission::reserve),
                          net::detached);
        } else {
            ++state->stats.connections_refused_total;
            ++state->refusing;
            net::co_spawn(state->strand, connection(state, std::move(socket), Admission::refused),
                          net::detached);
        }
    }
}

std::string endpoint_text(const std::string& address, std::uint16_t port) {
    const bool v6 = address.find(':') != std::string::npos;
    return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

}  // namespace

StatusServer::StatusServer(net::io_context& io, EndpointConfig config, AgentControl& agent)
    : state_(std::make_shared<State>(io, std::move(config), agent)) {}

StatusServer::~StatusServer() {
    stop();
    // A render in flight resumes its connection on the strand: it must finish while the
    // io_context still exists.
    state_->renderer.close();
}

Result<std::uint16_t> StatusServer::start() {
    State& state = *state_;
    if (state.started) {
        return fail("the status endpoint is already started");
    }
    if (auto valid = validate(state.config); !valid) {
        return valid.error();
    }
    if (!state.config.token_file.empty()) {
        auto token = ensure_token_file(state.config.token_file);
        if (!token) {
            return fail("endpoint.token_file: " + token.error().message);
        }
        state.routes.token = std::move(*token);
    }
    state.routes.token_for_reads = !is_loopback_address(state.config.bind_address);
    if (state.config.tls.enabled()) {
        auto tls = load_endpoint_tls(state.config.tls, now_seconds());
        if (!tls) {
            return tls.error();
        }
        state.tls = std::move(tls->context);
        state.stats.certificate_expiry = tls->not_after;
        tls_certificate_ = tls->description();
    }

    beast::error_code ec;
    const tcp::endpoint endpoint(net::ip::make_address(state.config.bind_address, ec),
                                 state.config.port);
    tcp::acceptor& acceptor = state.acceptor;
    if (!ec) {
        acceptor.open(endpoint.protocol(), ec);
    }
#ifdef _WIN32
    if (!ec) {
        acceptor.set_option(ExclusiveAddressUse{}, ec);
    }
#else
    // A restart may bind while the previous run's connections sit in TIME_WAIT.
    if (!ec) {
        acceptor.set_option(net::socket_base::reuse_address(true), ec);
    }
#endif
    if (!ec) {
        acceptor.bind(endpoint, ec);
    }
    if (!ec) {
        acceptor.listen(net::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        beast::error_code ignored;
        acceptor.close(ignored);
        return fail("endpoint: cannot listen on " +
                    endpoint_text(state.config.bind_address, state.config.port) + ": " +
                    ec.message());
    }
    const std::uint16_t port = acceptor.local_endpoint(ec).port();
    state.started = true;
    net::co_spawn(state.strand, accept_loop(state_), net::detached);
    return port;
}

Status StatusServer::reload_tls(const EndpointTlsConfig& tls) {
    if (tls.enabled() != state_->config.tls.enabled()) {
        return fail(
            "endpoint.tls: switching between plain HTTP and TLS needs a restart; the endpoint "
            "keeps serving as it started");
    }
    if (!tls.enabled()) {
        return {};
    }
    auto loaded = load_endpoint_tls(tls, now_seconds());
    if (!loaded) {
        return loaded.error();
    }
    tls_certificate_ = loaded->description();
    net::dispatch(state_->strand, [state = state_, loaded = std::move(loaded).value()] {
        state->tls = loaded.context;
        state->stats.certificate_expiry = loaded.not_after;
    });
    return {};
}

void StatusServer::stop() {
    net::dispatch(state_->strand, [state = state_] { state->shutdown(); });
}

}  // namespace psguard
