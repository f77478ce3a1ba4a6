// The status server on every platform (natively and under Wine): it binds 127.0.0.1, answers a
// request, refuses garbage and stops promptly. The thorough socket tests are POSIX-only
// (tests/integration/status_server_test.cpp); this proves the Windows build serves at all.
#include <utility>  // first: Boost 1.74's asio/awaitable.hpp lacks it

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "endpoint/status_server.hpp"
#include "unit/endpoint_exchange.hpp"
#include "unit/endpoint_fake_agent.hpp"

namespace psguard {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;

// Sends `bytes` on a new connection and reads one answer; 0 when none came within 5 s.
unsigned exchange(std::uint16_t port, const std::string& bytes, std::string* body = nullptr) {
    test::ExchangeAnswer answer = test::exchange_once(port, bytes, 5s);
    if (body != nullptr) {
        *body = std::move(answer.body);
    }
    return answer.status;
}

TEST(StatusServerSmoke, ServesRefusesGarbageAndStops) {
    test::FakeAgent agent;
    agent.set_snapshot(test::sample_snapshot(now_seconds() - std::chrono::seconds(60)));
    net::io_context io;
    EndpointConfig config;
    config.port = 0;
    StatusServer server(io, config, agent);
    const auto port = server.start();
    ASSERT_TRUE(port.ok()) << port.error().message;
    auto done = std::async(std::launch::async, [&io] { io.run(); });

    std::string body;
    EXPECT_EQ(
        exchange(*port, "GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", &body),
        200u);
    EXPECT_NE(body.find("\"version\":\"0.1.0\""), std::string::npos) << body;
    EXPECT_EQ(exchange(*port, "GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
              404u);
    EXPECT_EQ(exchange(*port, "\x16\x03\x01 not http\r\n\r\n"), 400u);
    EXPECT_EQ(exchange(*port, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
              200u);

    server.stop();
    EXPECT_EQ(done.wait_for(1s), std::future_status::ready) << "still running 1 s after stop()";
    if (done.wait_for(0s) != std::future_status::ready) {
        io.stop();
    }
    done.wait();
}

}  // namespace
}  // namespace psguard
