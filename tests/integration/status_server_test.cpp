// The status endpoint through real sockets: a StatusServer on 127.0.0.1 (an ephemeral port)
// with a fake AgentControl. The agent loop is faked here because the loop is not the subject:
// these tests are about HTTP, limits and shutdown; the real binary is tested end to end
// separately. Everything stays on loopback.
#include <utility>  // first: Boost 1.74's asio/awaitable.hpp lacks it

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "endpoint/status_server.hpp"
#include "endpoint/token_file.hpp"
#include "support/https_client.hpp"
#include "support/temp_dir.hpp"
#include "unit/endpoint_fake_agent.hpp"

namespace psguard {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using nlohmann::json;
using SteadyClock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using namespace std::string_view_literals;

std::chrono::milliseconds since(SteadyClock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start);
}

// One blocking-style client connection with bounded waits, for byte-level tests. `from`: the
// local address to connect from (any of 127.0.0.0/8 on Linux), so tests can play several peers.
class TestConnection {
  public:
    explicit TestConnection(std::uint16_t port, const char* from = nullptr) : stream_(io_) {
        if (from != nullptr) {
            stream_.socket().open(tcp::v4());
            stream_.socket().bind(tcp::endpoint(net::ip::make_address(from), 0));
        }
        stream_.socket().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    }

    bool send(std::string_view bytes, std::chrono::milliseconds timeout = 5s) {
        beast::error_code result = net::error::would_block;
        net::async_write(stream_, net::buffer(bytes),
                         [&](beast::error_code ec, std::size_t) { result = ec; });
        run(timeout);
        return !result;
    }

    // The next response, or nullopt when the connection failed or nothing came in time.
    // `head`: the answer to a HEAD request, which has no body whatever its Content-Length.
    std::optional<http::response<http::string_body>> read_response(
        std::chrono::milliseconds timeout = 5s, bool head = false) {
        http::response_parser<http::string_body> parser;
        parser.body_limit(16 * 1024 * 1024);
        parser.skip(head);
        std::optional<beast::error_code> result;
        http::async_read(stream_, buffer_, parser,
                         [&](beast::error_code ec, std::size_t) { result = ec; });
        run(timeout);
        if (!result || *result) {
            return std::nullopt;
        }
        return parser.release();
    }

    // How long until the server closed the connection (bytes it sends meanwhile are dropped);
    // nullopt if it is still open after `timeout`.
    std::optional<std::chrono::milliseconds> wait_closed(std::chrono::milliseconds timeout) {
        const auto start = SteadyClock::now();
        std::array<char, 4096> sink{};
        bool closed = false;
        std::function<void(beast::error_code, std::size_t)> on_read;
        on_read = [&](beast::error_code ec, std::size_t) {
            if (ec) {
                closed = ec != net::error::operation_aborted;
                return;
            }
            stream_.async_read_some(net::buffer(sink), on_read);
        };
        stream_.async_read_some(net::buffer(sink), on_read);
        run(timeout);
        if (!closed) {
            return std::nullopt;
        }
        return since(start);
    }

    void close() {
        beast::error_code ignored;
        stream_.socket().close(ignored);
    }

    void shutdown_send() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

  private:
    // Runs the pending operation for at most `timeout`, then cancels it.
    void run(std::chrono::milliseconds timeout) {
        io_.restart();
        io_.run_for(timeout);
        if (!io_.stopped()) {
            beast::error_code ignored;
            stream_.socket().cancel(ignored);
            io_.restart();
            io_.run();
        }
    }

    net::io_context io_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
};

class StatusServerTest : public ::testing::Test {
  protected:
    StatusServerTest() {
        agent_.set_snapshot(test::sample_snapshot(now_seconds() - std::chrono::seconds(600)));
    }

    ~StatusServerTest() override { stop_server(); }

    // `count` connections open, nothing sent.
    std::vector<std::unique_ptr<TestConnection>> connect(std::size_t count,
                                                         const char* from = nullptr) const {
        std::vector<std::unique_ptr<TestConnection>> connections;
        for (std::size_t i = 0; i < count; ++i) {
            connections.push_back(std::make_unique<TestConnection>(port_, from));
        }
        return connections;
    }

    // How many of `connections` the server has closed.
    static std::size_t count_closed(std::vector<std::unique_ptr<TestConnection>>& connections) {
        std::size_t closed = 0;
        for (auto& connection : connections) {
            closed += connection->wait_closed(100ms) ? 1 : 0;
        }
        return closed;
    }

    // GET /healthz on `connection`: 200.
    static void expect_healthy_on(TestConnection& connection) {
        ASSERT_TRUE(connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
        const auto response = connection.read_response();
        ASSERT_TRUE(response);
        EXPECT_EQ(response->result_int(), 200u);
    }

    void start_with_limit(std::size_t max_connections) {
        EndpointConfig config;
        config.max_connections = max_connections;
        start(config);
    }

    void start(EndpointConfig config = {}) {
        config.port = 0;
        server_.emplace(io_, config, agent_);
        const auto port = server_->start();
        ASSERT_TRUE(port.ok()) << port.error().message;
        port_ = *port;
        done_ = std::async(std::launch::async, [this] { io_.run(); });
    }

    // True when the io_context ran out of work within `limit` after stop().
    bool stop_server(std::chrono::milliseconds limit = 1000ms) {
        if (!server_) {
            return true;
        }
        server_->stop();
        bool finished = !done_.valid() || done_.wait_for(limit) == std::future_status::ready;
        if (!finished) {
            io_.stop();  // do not hang the suite; the test fails on the return value
        }
        if (done_.valid()) {
            done_.wait();
        }
        server_.reset();
        return finished;
    }

    test::ClientResponse request(http::verb method, const std::string& target,
                                 std::vector<std::pair<std::string, std::string>> headers = {}) {
        test::ClientRequest request;
        request.tls = false;
        request.port = port_;
        request.method = method;
        request.target = target;
        request.headers = std::move(headers);
        request.timeout = 10s;
        return test::https_request(request);
    }
    test::ClientResponse get(const std::string& target) { return request(http::verb::get, target); }
    test::ClientResponse raw(std::string bytes) {
        test::ClientRequest request;
        request.tls = false;
        request.port = port_;
        request.raw = std::move(bytes);
        request.timeout = 10s;
        return test::https_request(request);
    }

    void expect_serving() {
        const auto response = get("/healthz");
        EXPECT_TRUE(response.ok()) << response.error.message() << " at " << response.error_stage;
        EXPECT_EQ(response.status, 200u);
    }

    double metric(const std::string& sample_prefix) {
        const auto response = get("/metrics");
        const auto at = response.body.find("\n" + sample_prefix + " ");
        if (at == std::string::npos) {
            ADD_FAILURE() << "no sample " << sample_prefix;
            return -1;
        }
        return std::stod(response.body.substr(at + sample_prefix.size() + 2));
    }

    test::FakeAgent agent_;
    net::io_context io_;
    std::optional<StatusServer> server_;
    std::future<void> done_;
    std::uint16_t port_ = 0;
};

TEST_F(StatusServerTest, ServesEveryRouteWithItsShape) {
    start();
    const auto health = get("/healthz");
    ASSERT_TRUE(health.ok()) << health.error.message();
    EXPECT_EQ(health.status, 200u);
    EXPECT_EQ(health.headers[http::field::content_type], "application/json");
    EXPECT_EQ(health.headers[http::field::cache_control], "no-store");
    EXPECT_EQ(json::parse(health.body)["status"], "ok");

    const auto status = get("/v1/status");
    ASSERT_EQ(status.status, 200u);
    const json document = json::parse(status.body);
    for (const char* key :
         {"version", "uptime_seconds", "started", "interval_minutes", "heal_enabled", "last_cycle",
          "cycle_running", "ns", "acl", "summary", "heal", "settings"}) {
        EXPECT_TRUE(document.contains(key)) << key;
    }
    EXPECT_GE(document["uptime_seconds"].get<int>(), 600);
    EXPECT_EQ(document["last_cycle"]["result"], "findings");
    for (const char* key : {"url", "reachable", "usable", "error"}) {
        EXPECT_TRUE(document["ns"].contains(key)) << key;
    }

    const auto packages = get("/v1/packages");
    ASSERT_EQ(packages.status, 200u);
    EXPECT_EQ(json::parse(packages.body)["packages"].size(), 3u);

    const auto package = get("/v1/packages/6D417916-0000-4000-8000-000000000002");
    ASSERT_EQ(package.status, 200u);
    EXPECT_EQ(json::parse(package.body)["id"], test::kStaleId);
    EXPECT_EQ(get("/v1/packages/{00000000-0000-4000-8000-000000000000}").status, 404u);

    const auto journal = get("/v1/journal");
    ASSERT_EQ(journal.status, 200u);
    EXPECT_TRUE(json::parse(journal.body)["actions"].is_array());

    const auto metrics = get("/metrics");
    ASSERT_EQ(metrics.status, 200u);
    EXPECT_EQ(metrics.headers[http::field::content_type],
              "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_NE(metrics.body.find("# TYPE psguard_cycles_total counter\n"), std::string::npos);
    EXPECT_NE(metrics.body.find("\npsguard_packages{verdict=\"stale_on_ns\"} 1\n"),
              std::string::npos);

    agent_.set_healthy(false);
    EXPECT_EQ(get("/healthz").status, 503u);
}

TEST_F(StatusServerTest, UnknownPathsAndWrongMethods) {
    start();
    const auto missing = get("/nothing/here");
    EXPECT_EQ(missing.status, 404u);
    EXPECT_TRUE(json::parse(missing.body).contains("error"));
    const auto wrong = request(http::verb::put, "/v1/status");
    EXPECT_EQ(wrong.status, 405u);
    EXPECT_EQ(wrong.headers[http::field::allow], "GET, HEAD");
    EXPECT_EQ(get("/v1/check").status, 405u);
}

TEST_F(StatusServerTest, HeadSendsTheLengthButNoBody) {
    start();
    const auto full = get("/v1/status");
    TestConnection connection(port_);
    ASSERT_TRUE(
        connection.send("HEAD /v1/status HTTP/1.1\r\nHost: x\r\n\r\n"
                        "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    const auto answer = connection.read_response(5s, /*head=*/true);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->result_int(), 200u);
    EXPECT_EQ(answer->at(http::field::content_length), std::to_string(full.body.size()));
    EXPECT_EQ(answer->at(http::field::content_type), "application/json");
    // The next answer follows at once: no body bytes in between.
    const auto next = connection.read_response();
    ASSERT_TRUE(next);
    EXPECT_EQ(next->result_int(), 200u);
    EXPECT_EQ(json::parse(next->body())["status"], "ok");
}

TEST_F(StatusServerTest, CheckNeedsTheTokenAndConflictsWhileBusy) {
    // The token file does not exist yet: start() creates it, as at a first start.
    test::TempDir dir;
    EndpointConfig config;
    config.token_file = dir / "endpoint.token";
    start(config);
    const auto token = read_token_file(config.token_file);
    ASSERT_TRUE(token.ok()) << token.error().message;

    const auto without = request(http::verb::post, "/v1/check");
    EXPECT_EQ(without.status, 401u);
    EXPECT_EQ(without.headers[http::field::www_authenticate], R"(Bearer realm="psguard")");
    const auto wrong = request(http::verb::post, "/v1/check",
                               {{"Authorization", "Bearer " + std::string(64, '0')}});
    EXPECT_EQ(wrong.status, 401u);
    EXPECT_EQ(agent_.cycle_requests(), 0);

    const auto accepted =
        request(http::verb::post, "/v1/check", {{"Authorization", "Bearer " + *token}});
    EXPECT_EQ(accepted.status, 202u);
    EXPECT_EQ(agent_.cycle_requests(), 1);

    agent_.set_busy(true);
    const auto busy =
        request(http::verb::post, "/v1/check", {{"Authorization", "Bearer " + *token}});
    EXPECT_EQ(busy.status, 409u);

    // Reads stay open on loopback.
    EXPECT_EQ(get("/v1/status").status, 200u);
}

TEST_F(StatusServerTest, StartRefusesAnUnsafeTokenFileOrAnOccupiedPort) {
    test::TempDir dir;
    const auto file = dir / "endpoint.token";
    std::ofstream(file) << "0123456789abcdef0123456789abcdef\n";
    ::chmod(file.c_str(), 0644);
    EndpointConfig config;
    config.port = 0;
    config.token_file = file;
    StatusServer unsafe(io_, config, agent_);
    const auto refused = unsafe.start();
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("endpoint.token_file"), std::string::npos);
    EXPECT_NE(refused.error().message.find("chmod 600"), std::string::npos);

    EndpointConfig open;
    open.bind_address = "0.0.0.0";
    open.port = 0;
    StatusServer exposed(io_, open, agent_);
    EXPECT_FALSE(exposed.start().ok());

    start();
    EndpointConfig same;
    same.port = port_;
    StatusServer second(io_, same, agent_);
    const auto occupied = second.start();
    ASSERT_FALSE(occupied.ok());
    EXPECT_NE(occupied.error().message.find("127.0.0.1:" + std::to_string(port_)),
              std::string::npos)
        << occupied.error().message;
    expect_serving();
}

TEST_F(StatusServerTest, KeepAliveAndConnectionClose) {
    start();
    TestConnection connection(port_);
    // Two pipelined requests on one connection, then one asking to close.
    ASSERT_TRUE(
        connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                        "GET /v1/journal HTTP/1.1\r\nHost: x\r\n\r\n"));
    const auto first = connection.read_response();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->result_int(), 200u);
    EXPECT_TRUE(first->keep_alive());
    const auto second = connection.read_response();
    ASSERT_TRUE(second);
    EXPECT_EQ(second->result_int(), 200u);
    EXPECT_TRUE(json::parse(second->body()).contains("actions"));

    ASSERT_TRUE(connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    const auto last = connection.read_response();
    ASSERT_TRUE(last);
    EXPECT_FALSE(last->keep_alive());
    EXPECT_TRUE(connection.wait_closed(2s));

    TestConnection old_client(port_);
    ASSERT_TRUE(old_client.send("GET /healthz HTTP/1.0\r\n\r\n"));
    const auto answer = old_client.read_response();
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->result_int(), 200u);
    EXPECT_TRUE(old_client.wait_closed(2s));
}

TEST_F(StatusServerTest, ARequestArrivingInPartsIsAnsweredWhole) {
    start();
    // Sends `first`, then after a pause `second`, and reads one answer: what the server parsed
    // from its buffer must be kept while it waits for the remainder.
    const auto in_two_parts = [](TestConnection& connection, std::string_view first,
                                 std::string_view second) {
        EXPECT_TRUE(connection.send(first));
        std::this_thread::sleep_for(100ms);
        EXPECT_TRUE(connection.send(second));
        return connection.read_response();
    };
    TestConnection connection(port_);
    // The header cut in the middle of a field; the second request begins in the same send.
    const auto status = in_two_parts(connection, "GET /v1/status HTTP/1.1\r\nHo",
                                     "st: x\r\n\r\nGET /healthz HTTP/1.1\r\n");
    ASSERT_TRUE(status);
    EXPECT_EQ(status->result_int(), 200u);
    EXPECT_TRUE(json::parse(status->body()).contains("version"));
    // The second request's end comes later.
    std::this_thread::sleep_for(100ms);
    ASSERT_TRUE(connection.send("Host: x\r\n\r\n"));
    const auto health = connection.read_response();
    ASSERT_TRUE(health);
    EXPECT_EQ(health->result_int(), 200u);
    // A header that turns malformed in its second part: 400, as when it arrives whole.
    TestConnection malformed(port_);
    const auto refused =
        in_two_parts(malformed, "GET /v1/status HTTP/1.1\r\n", "no colon here\r\n\r\n");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->result_int(), 400u);
}

TEST_F(StatusServerTest, AnAnswerLargerThanTheSocketTakesAtOnceArrivesWhole) {
    // 20,000 packages: /v1/packages is several MB, more than loopback's send buffer, so the
    // server writes what fits at once and the rest while this client, slow to start, reads.
    auto snapshot = std::make_shared<AgentSnapshot>(*agent_.snapshot());
    auto report = std::make_shared<CheckReport>(*snapshot->report);
    const PackageVerdict model = report->packages.front();
    report->packages.clear();
    for (int i = 0; i < 20000; ++i) {
        PackageVerdict verdict = model;
        char id[39];
        std::snprintf(id, sizeof id, "{6d417916-0000-4000-8000-%012d}", i);
        verdict.id = id;
        report->packages.push_back(std::move(verdict));
    }
    snapshot->report = std::move(report);
    agent_.set_snapshot(std::move(snapshot));
    start();
    TestConnection connection(port_);
    ASSERT_TRUE(connection.send("GET /v1/packages HTTP/1.1\r\nHost: x\r\n\r\n"));
    std::this_thread::sleep_for(300ms);
    const auto answer = connection.read_response(30s);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->result_int(), 200u);
    EXPECT_GT(answer->body().size(), 3'000'000u);
    const auto packages = json::parse(answer->body())["packages"];
    ASSERT_EQ(packages.size(), 20000u);
    EXPECT_EQ(packages.back()["id"], "{6d417916-0000-4000-8000-000000019999}");
    // The connection is still usable: the next answer follows the large one.
    ASSERT_TRUE(connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    const auto health = connection.read_response();
    ASSERT_TRUE(health);
    EXPECT_EQ(health->result_int(), 200u);
}

TEST_F(StatusServerTest, GetWithABodyIsABadRequest) {
    start();
    const auto with_length =
        raw("GET /v1/status HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
    EXPECT_EQ(with_length.status, 400u) << with_length.body;
    const auto chunked =
        raw("GET /v1/status HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
            "chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    EXPECT_EQ(chunked.status, 400u);
    const auto large = raw("GET /v1/status HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" +
                           std::string(1000, 'x'));
    EXPECT_EQ(large.status, 400u);
    const auto empty =
        raw("GET /v1/status HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
            "Connection: close\r\n\r\n");
    EXPECT_EQ(empty.status, 200u);
    const auto big_post = raw("POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" +
                              std::string(5000, 'x'));
    EXPECT_EQ(big_post.status, 413u);
    expect_serving();
}

TEST_F(StatusServerTest, GarbageGetsA400AndTheServerCarriesOn) {
    start();
    const std::vector<std::string> garbage = {
        std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"sv),  // a TLS hello
        "HELLO\r\n\r\n",
        "GET /healthz HTTP/9.9\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nBad Header Line\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        std::string("\0\0\0\0GET\0 /\r\n\r\n"sv),
        std::string(2000, '\x7f') + "\r\n\r\n",
    };
    for (const auto& bytes : garbage) {
        const auto response = raw(bytes);
        EXPECT_EQ(response.status, 400u)
            << "for " << json(bytes).dump(-1, ' ', false, json::error_handler_t::replace);
        expect_serving();
    }
    // Half a request, then the client half-closes: answered 400 too.
    TestConnection half(port_);
    ASSERT_TRUE(half.send("GET /healthz HTTP/1.1\r\nHo"));
    half.shutdown_send();
    const auto incomplete = half.read_response();
    ASSERT_TRUE(incomplete);
    EXPECT_EQ(incomplete->result_int(), 400u);
    EXPECT_GE(metric("psguard_endpoint_bad_requests_total"), garbage.size());
    expect_serving();
}

TEST_F(StatusServerTest, OversizedHeadersGet431) {
    start();
    const auto response =
        raw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(10000, 'a') + "\r\n\r\n");
    EXPECT_EQ(response.status, 431u);
    const auto long_target = raw("GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n");
    EXPECT_EQ(long_target.status, 431u);
    expect_serving();
}

TEST_F(StatusServerTest, SlowClientsAreDroppedAfterTheReadTimeoutWhileOthersAreServed) {
    EndpointConfig config;
    config.read_timeout = std::chrono::seconds(1);
    start(config);
    const auto start_time = SteadyClock::now();
    TestConnection stalled(port_);
    ASSERT_TRUE(stalled.send("GET /v1/status HTTP/1.1\r\nHost: x\r\n"));  // never finished

    // A trickling client: one byte every 200 ms; the deadline covers the whole request.
    std::atomic<bool> trickle_dropped{false};
    std::thread trickler([&] {
        TestConnection trickle(port_);
        const std::string request =
            "GET /v1/status HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(100, 'a') + "\r\n\r\n";
        for (const char c : request) {
            if (!trickle.send(std::string(1, c), 500ms)) {
                break;
            }
            if (trickle.wait_closed(200ms)) {
                trickle_dropped = true;
                break;
            }
        }
    });

    for (int i = 0; i < 5; ++i) {
        expect_serving();
    }
    const auto closed = stalled.wait_closed(5s);
    trickler.join();
    ASSERT_TRUE(closed) << "the stalled client was never dropped";
    EXPECT_GE(since(start_time), 900ms);
    EXPECT_LE(since(start_time), 3000ms);
    EXPECT_TRUE(trickle_dropped);
    EXPECT_GE(metric("psguard_endpoint_timeouts_total"), 2);
    expect_serving();
}

// Many clients at once: each connects first (the server holds them all open), a normal request
// is served in the middle of it, then every client sends its request and gets its answer.
TEST_F(StatusServerTest, FiveHundredConcurrentConnections) {
    constexpr std::size_t kClients = 500;
    EndpointConfig config;
    config.max_connections = 1000;
    start(config);
    const auto start_time = SteadyClock::now();

    net::io_context client_io;
    std::vector<beast::tcp_stream> streams;
    streams.reserve(kClients);
    const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port_);
    for (std::size_t i = 0; i < kClients; ++i) {
        streams.emplace_back(client_io);
        streams.back().socket().connect(endpoint);
    }
    expect_serving();  // while all 500 are open

    std::vector<unsigned> statuses(kClients, 0);
    for (std::size_t i = 0; i < kClients; ++i) {
        net::co_spawn(
            client_io,
            [&stream = streams[i], &status = statuses[i], i]() -> net::awaitable<void> {
                beast::error_code ec;
                stream.expires_after(20s);
                const std::string target = i % 2 == 0 ? "/v1/status" : "/metrics";
                const std::string request =
                    "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
                co_await net::async_write(stream, net::buffer(request),
                                          net::redirect_error(net::use_awaitable, ec));
                beast::flat_buffer buffer;
                http::response<http::string_body> response;
                if (!ec) {
                    co_await http::async_read(stream, buffer, response,
                                              net::redirect_error(net::use_awaitable, ec));
                }
                status = ec ? 0 : response.result_int();
            },
            net::detached);
    }
    client_io.run_for(30s);
    std::size_t ok = 0;
    for (const unsigned status : statuses) {
        ok += status == 200 ? 1 : 0;
    }
    EXPECT_EQ(ok, kClients);
    EXPECT_LE(since(start_time), 30000ms);
    streams.clear();
    expect_serving();
}

// Resident memory of this process (server and clients), in KiB.
long resident_kib() {
    std::ifstream statm("/proc/self/statm");
    long pages = 0;
    long resident = 0;
    statm >> pages >> resident;
    return resident * (::sysconf(_SC_PAGESIZE) / 1024);
}

// The issue's stress case: 1,000 connections at once against the default limit (256), a quarter
// of them slow (headers never finished), a quarter garbage, the rest normal requests. Each ends
// with an answer (200, 400, or 503 when over the limit) or, for a slow one, with the read
// timeout; the server keeps answering during the storm and serves normally after it; memory
// stays bounded.
TEST_F(StatusServerTest, AThousandConnectionsWithGarbageAndSlowClients) {
    constexpr std::size_t kClients = 1000;
    EndpointConfig config;
    config.read_timeout = std::chrono::seconds(2);
    start(config);
    const long rss_before = resident_kib();
    const auto start_time = SteadyClock::now();

    enum class Role { slow, garbage, normal };
    const auto role_of = [](std::size_t i) {
        return i % 4 == 0 ? Role::slow : i % 4 == 1 ? Role::garbage : Role::normal;
    };
    net::io_context client_io;
    std::vector<beast::tcp_stream> streams;
    streams.reserve(kClients);
    const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port_);
    for (std::size_t i = 0; i < kClients; ++i) {
        streams.emplace_back(client_io);
        streams.back().socket().connect(endpoint);
    }
    std::vector<unsigned> statuses(kClients, 0);
    std::vector<int> ended(kClients, 0);
    for (std::size_t i = 0; i < kClients; ++i) {
        net::co_spawn(
            client_io,
            [&stream = streams[i], &status = statuses[i], &done = ended[i],
             role = role_of(i)]() -> net::awaitable<void> {
                beast::error_code ec;
                stream.expires_after(25s);
                const std::string bytes =
                    role == Role::slow      ? "GET /v1/status HTTP/1.1\r\nHost: x\r\n"
                    : role == Role::garbage ? std::string("\x16\x03\x01\x02\x00 garbage\r\n\r\n"sv)
                                            : "GET /v1/status HTTP/1.1\r\nHost: x\r\n"
                                              "Connection: close\r\n\r\n";
                co_await net::async_write(stream, net::buffer(bytes),
                                          net::redirect_error(net::use_awaitable, ec));
                beast::flat_buffer buffer;
                http::response<http::string_body> response;
                if (!ec) {
                    co_await http::async_read(stream, buffer, response,
                                              net::redirect_error(net::use_awaitable, ec));
                }
                status = ec ? 0 : response.result_int();
                // A slow client learns it was dropped from the end of the stream.
                done = !ec || ec == http::error::end_of_stream ? 1 : 0;
                stream.close();
            },
            net::detached);
    }
    std::thread storm([&] { client_io.run_for(30s); });
    for (int i = 0; i < 5; ++i) {
        const auto health = get("/healthz");
        EXPECT_TRUE(health.ok()) << health.error.message() << " at " << health.error_stage;
        EXPECT_TRUE(health.status == 200 || health.status == 503) << health.status;
        std::this_thread::sleep_for(100ms);
    }
    storm.join();
    const auto elapsed = since(start_time);
    const long rss_after = resident_kib();

    std::map<std::pair<int, unsigned>, std::size_t> outcomes;  // (role, status) -> count
    for (std::size_t i = 0; i < kClients; ++i) {
        EXPECT_EQ(ended[i], 1) << "client " << i << " neither answered nor closed";
        const Role role = role_of(i);
        const unsigned status = statuses[i];
        ++outcomes[{static_cast<int>(role), status}];
        switch (role) {
            case Role::slow:
                EXPECT_TRUE(status == 0 || status == 503) << i << ": " << status;
                break;
            case Role::garbage:
                EXPECT_TRUE(status == 400 || status == 503) << i << ": " << status;
                break;
            case Role::normal:
                EXPECT_TRUE(status == 200 || status == 503) << i << ": " << status;
                break;
        }
    }
    EXPECT_GT((outcomes[{static_cast<int>(Role::normal), 200u}]), 0u);
    EXPECT_LE(elapsed, 30000ms);
    streams.clear();
    expect_serving();
    // Every connection is gone again (the slow ones after their timeout).
    const auto deadline = SteadyClock::now() + 5s;
    double open = -1;
    while (SteadyClock::now() < deadline && open != 1) {
        open = metric("psguard_endpoint_connections");  // 1: this request's own connection
        std::this_thread::sleep_for(50ms);
    }
    EXPECT_EQ(open, 1);
    EXPECT_LT(rss_after - rss_before, 64 * 1024) << "KiB grown during the storm";
    std::cout << "[ info     ] " << elapsed.count() << " ms; resident memory grew by "
              << (rss_after - rss_before) << " KiB; outcomes (role 0 slow, 1 garbage, 2 normal):";
    for (const auto& [key, count] : outcomes) {
        std::cout << " " << key.first << "/" << key.second << "=" << count;
    }
    std::cout << '\n';
}

// Over endpoint.max_connections: the first ones are served, the next 4 take the reserve (for
// /healthz and /v1/status, dropped after 2 s without a request), the others get 503 at once (as
// many again at a time; beyond those, they wait in the listen backlog for a refusal to end);
// once the served ones are gone, newcomers are served again.
TEST_F(StatusServerTest, ConnectionsOverTheLimitAreRefusedWith503) {
    constexpr std::size_t kLimit = 8;
    constexpr std::size_t kReserve = 4;
    constexpr std::size_t kClients = 20;
    EndpointConfig config;
    config.max_connections = kLimit;
    start(config);
    std::vector<std::unique_ptr<TestConnection>> clients;
    for (std::size_t i = 0; i < kClients; ++i) {
        clients.push_back(std::make_unique<TestConnection>(port_));
    }
    std::size_t refused = 0;
    std::size_t dropped = 0;
    std::vector<TestConnection*> admitted;
    // A refused client has its 503 waiting, a dropped one sees the connection closed, an
    // admitted one gets nothing until it asks. All waited for at once, generously.
    enum class Seen { answered_503, closed, waiting };
    std::vector<std::future<Seen>> seen;
    for (auto& client : clients) {
        seen.push_back(std::async(std::launch::async, [&client] {
            if (auto early = client->read_response(1s)) {
                EXPECT_EQ(early->result_int(), 503u);
                EXPECT_EQ(early->at(http::field::retry_after), "1");
                EXPECT_FALSE(early->keep_alive());
                client->close();  // as a real client does: frees the refusal for the next one
                return Seen::answered_503;
            }
            return client->wait_closed(100ms) ? Seen::closed : Seen::waiting;
        }));
    }
    for (std::size_t i = 0; i < kClients; ++i) {
        switch (seen[i].get()) {
            case Seen::answered_503:
                ++refused;
                break;
            case Seen::closed:
                ++dropped;
                break;
            case Seen::waiting:
                admitted.push_back(clients[i].get());
                break;
        }
    }
    EXPECT_EQ(refused, kClients - kLimit - kReserve);
    EXPECT_EQ(dropped, 0u);
    ASSERT_EQ(admitted.size(), kLimit + kReserve);
    // Accepted in connection order: the reserve's are the last admitted; their short deadline
    // ends them without an answer.
    for (std::size_t i = kLimit; i < admitted.size(); ++i) {
        EXPECT_TRUE(admitted[i]->wait_closed(5s)) << "reserve connection " << i;
    }
    admitted.resize(kLimit);
    for (auto* client : admitted) {
        expect_healthy_on(*client);
    }
    clients.clear();
    // The server notices the closed connections asynchronously: allow it a moment.
    const auto deadline = SteadyClock::now() + 3s;
    unsigned status = 0;
    while (SteadyClock::now() < deadline && status != 200) {
        status = get("/healthz").status;
        std::this_thread::sleep_for(50ms);
    }
    EXPECT_EQ(status, 200u);
    EXPECT_EQ(metric("psguard_endpoint_connections_refused_total"), kClients - kLimit - kReserve);
}

// The issue's starvation: a local user holds every slot with idle sockets. A newcomer takes the
// slot of one that has been idle for a second, whatever route it asks for.
TEST_F(StatusServerTest, IdleConnectionsGiveTheirSlotToANewcomer) {
    constexpr std::size_t kLimit = 8;
    start_with_limit(kLimit);
    auto idle = connect(kLimit);
    std::this_thread::sleep_for(1500ms);  // past the idle grace (1 s)
    expect_serving();
    EXPECT_EQ(get("/metrics").status, 200u);  // not just the reserve's routes
    EXPECT_GE(metric("psguard_endpoint_idle_closed_total"), 1);
    const std::size_t closed = count_closed(idle);
    // At least one gave way; once a newcomer is done its slot is free for the next one.
    EXPECT_GE(closed, 1u);
    EXPECT_LT(closed, kLimit);
}

// Which idle connection goes: the newcomer's own peer's first, else one of the peer holding the
// most connections. Peers are loopback addresses of their own (127.0.0.2, .3, .4).
TEST_F(StatusServerTest, AnIdleConnectionOfTheNewcomersOwnPeerGoesFirst) {
    start_with_limit(8);
    auto crowd = connect(6, "127.0.0.2");
    auto monitor = connect(2, "127.0.0.3");
    std::this_thread::sleep_for(1500ms);

    TestConnection again(port_, "127.0.0.3");
    expect_healthy_on(again);
    EXPECT_EQ(count_closed(monitor), 1u) << "its own idle connection gave way";
    EXPECT_EQ(count_closed(crowd), 0u);

    TestConnection stranger(port_, "127.0.0.4");  // `again` stays open, idle for less than 1 s
    expect_healthy_on(stranger);
    EXPECT_EQ(count_closed(crowd), 1u) << "the peer holding the most connections gave way";
}

// Every slot busy with a request in progress (nothing idle to close): the reserve still answers
// /healthz and /v1/status, and nothing else.
TEST_F(StatusServerTest, TheReserveAnswersHealthAndStatusWhileEverySlotIsBusy) {
    constexpr std::size_t kLimit = 8;
    start_with_limit(kLimit);
    auto busy = connect(kLimit);
    for (auto& connection : busy) {
        ASSERT_TRUE(connection->send("GET /v1/status HTTP/1.1\r\nHost: x\r\n"));  // unfinished
    }
    std::this_thread::sleep_for(1500ms);
    for (int i = 0; i < 3; ++i) {
        expect_serving();
        EXPECT_EQ(get("/v1/status").status, 200u);
    }
    const auto other = get("/v1/packages");
    EXPECT_EQ(other.status, 503u) << other.body;
    EXPECT_EQ(get("/metrics").status, 503u);
    for (auto& connection : busy) {
        EXPECT_FALSE(connection->wait_closed(100ms)) << "a busy connection was closed";
    }
}

TEST_F(StatusServerTest, StopReturnsPromptlyWithConnectionsOpen) {
    start();
    std::vector<std::unique_ptr<TestConnection>> idle;
    for (int i = 0; i < 50; ++i) {
        idle.push_back(std::make_unique<TestConnection>(port_));
    }
    ASSERT_TRUE(idle.front()->send("GET /v1/status HTTP/1.1\r\n"));  // mid-request
    ASSERT_TRUE(idle.back()->send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(idle.back()->read_response());  // a kept-alive connection
    expect_serving();

    const auto start_time = SteadyClock::now();
    EXPECT_TRUE(stop_server(1000ms)) << "the io_context still had work 1 s after stop()";
    EXPECT_LE(since(start_time), 1000ms);
    for (auto& connection : idle) {
        EXPECT_TRUE(connection->wait_closed(1s));
    }
    // Nothing listens any more.
    EXPECT_FALSE(get("/healthz").ok());
}

}  // namespace
}  // namespace psguard
