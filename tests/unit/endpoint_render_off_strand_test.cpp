// The status server renders a document the snapshot has not cached yet off its strand: while that
// render runs, the server goes on accepting and answering other connections, and the connection
// that asked waits for the render's bytes. A render is held open deterministically through the
// snapshot's own RenderCache: a thread of the test renders the document first and holds the
// document's lock until released, so the server's render of it waits for that lock (as a second
// request waits for a first one's render). Nothing here asserts a duration: every wait has a
// generous deadline, and a deadline passing fails the test instead of hanging it.
#include <utility>  // first: Boost 1.74's asio/awaitable.hpp lacks it

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "endpoint/rendered_documents.hpp"
#include "endpoint/status_server.hpp"
#include "unit/endpoint_exchange.hpp"
#include "unit/endpoint_fake_agent.hpp"

namespace psguard {
namespace {

namespace net = boost::asio;
using namespace std::chrono_literals;

// Long enough for a loaded machine under ThreadSanitizer; reached only when the test fails.
constexpr std::chrono::seconds kOffStrandDeadline{10};

using OffStrandAnswer = test::ExchangeAnswer;

// One GET on a new connection, with its own io_context and deadline.
OffStrandAnswer off_strand_exchange(std::uint16_t port, const std::string& target,
                                    std::chrono::seconds deadline = kOffStrandDeadline) {
    return test::exchange_once(
        port, "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", deadline);
}

std::future<OffStrandAnswer> start_off_strand_exchange(std::uint16_t port, std::string target) {
    return std::async(std::launch::async, [port, target = std::move(target)] {
        return off_strand_exchange(port, target);
    });
}

// The agent, counting the server's reads of its snapshot: the server reads it on its strand right
// before a document's render, so once the count is reached the server has taken up that request.
class SnapshotReadCountingAgent final : public AgentControl {
  public:
    explicit SnapshotReadCountingAgent(AgentControl& agent) : agent_(agent) {}
    std::shared_ptr<const AgentSnapshot> snapshot() const override {
        {
            std::lock_guard lock(mutex_);
            ++reads_;
        }
        read_.notify_all();
        return agent_.snapshot();
    }
    TriggerResult request_cycle() override { return agent_.request_cycle(); }
    bool healthy(TimePoint now) const override { return agent_.healthy(now); }

    bool wait_for_reads(int count) const {
        std::unique_lock lock(mutex_);
        return read_.wait_for(lock, kOffStrandDeadline, [&] { return reads_ >= count; });
    }

  private:
    AgentControl& agent_;
    mutable std::mutex mutex_;
    mutable std::condition_variable read_;
    mutable int reads_ = 0;
};

// A render of `document` in progress on a thread of the test, holding the document's lock in the
// snapshot's RenderCache until release(); then it caches `bytes`, or throws when `bytes` is
// nullopt (the cache stays empty and the next render is tried). Released when destroyed.
class HeldRender {
  public:
    HeldRender(std::shared_ptr<const AgentSnapshot> snapshot, RenderCache::Document document,
               std::optional<std::string> bytes)
        : snapshot_(std::move(snapshot)), released_(release_.get_future().share()) {
        std::promise<void> entered;
        auto has_entered = entered.get_future();
        thread_ = std::thread(
            [this, document, bytes = std::move(bytes), entered = std::move(entered)]() mutable {
                try {
                    snapshot_->rendered.get(document, [&]() -> std::string {
                        entered.set_value();
                        released_.wait();
                        if (!bytes) {
                            throw std::runtime_error("the held render failed");
                        }
                        return *bytes;
                    });
                } catch (const std::runtime_error&) {
                    // as meant: the server renders it then
                }
            });
        has_entered.wait();
    }
    ~HeldRender() {
        release();
        thread_.join();
    }
    HeldRender(const HeldRender&) = delete;
    HeldRender& operator=(const HeldRender&) = delete;

    void release() {
        if (!released_set_) {
            released_set_ = true;
            release_.set_value();
        }
    }

  private:
    std::shared_ptr<const AgentSnapshot> snapshot_;
    std::promise<void> release_;
    std::shared_future<void> released_;
    bool released_set_ = false;
    std::thread thread_;
};

// A StatusServer on 127.0.0.1 with its io_context run by a thread; stopped when destroyed.
class OffStrandServer {
  public:
    explicit OffStrandServer(AgentControl& agent) {
        EndpointConfig config;
        config.port = 0;
        server_ = std::make_unique<StatusServer>(io_, config, agent);
        const auto port = server_->start();
        if (!port) {
            throw std::runtime_error(port.error().message);
        }
        port_ = *port;
        running_ = std::async(std::launch::async, [this] { io_.run(); });
    }
    ~OffStrandServer() {
        if (server_) {
            server_->stop();
        }
        if (running_.valid() &&
            running_.wait_for(kOffStrandDeadline) != std::future_status::ready) {
            ADD_FAILURE() << "the io_context still runs after stop()";
            io_.stop();
        }
    }
    OffStrandServer(const OffStrandServer&) = delete;
    OffStrandServer& operator=(const OffStrandServer&) = delete;

    std::uint16_t port() const { return port_; }
    net::io_context& io() { return io_; }
    std::unique_ptr<StatusServer>& server() { return server_; }
    // True when the io_context ran out of work (or was stopped) within the deadline.
    bool finished() { return running_.wait_for(kOffStrandDeadline) == std::future_status::ready; }

  private:
    net::io_context io_;
    std::unique_ptr<StatusServer> server_;
    std::uint16_t port_ = 0;
    std::future<void> running_;
};

class RenderOffStrandTest : public ::testing::Test {
  protected:
    RenderOffStrandTest() : snapshot_(test::sample_snapshot(now_seconds() - 60s)) {
        fake_.set_snapshot(snapshot_);
    }

    std::shared_ptr<AgentSnapshot> snapshot_;
    test::FakeAgent fake_;
    SnapshotReadCountingAgent agent_{fake_};
};

TEST_F(RenderOffStrandTest, OtherRequestsAreAnsweredWhileARenderRuns) {
    status_body(*snapshot_, now_seconds());  // /v1/status is cached: answered from the strand
    const std::string packages = json_body(packages_json(*snapshot_));
    OffStrandServer server(agent_);
    std::future<OffStrandAnswer> first;
    // Destroyed before `first`: a failure below never leaves the render held.
    HeldRender held(snapshot_, RenderCache::packages, std::nullopt);

    first = start_off_strand_exchange(server.port(), "/v1/packages");
    ASSERT_TRUE(agent_.wait_for_reads(1)) << "the server never took up GET /v1/packages";

    // Served by the strand while GET /v1/packages waits for its render (before this change, the
    // render ran on the strand and these waited until the release, past their deadline).
    const auto health = off_strand_exchange(server.port(), "/healthz");
    EXPECT_EQ(health.status, 200u) << "GET /healthz was not answered during a render";
    EXPECT_NE(health.body.find("\"status\":\"ok\""), std::string::npos) << health.body;
    const auto status = off_strand_exchange(server.port(), "/v1/status");
    EXPECT_EQ(status.status, 200u) << "GET /v1/status was not answered during a render";
    EXPECT_EQ(first.wait_for(0s), std::future_status::timeout) << "answered before the render";

    // The held render throws: the server's own render then takes the lock and renders it.
    held.release();
    ASSERT_EQ(first.wait_for(kOffStrandDeadline), std::future_status::ready);
    const auto answer = first.get();
    EXPECT_EQ(answer.status, 200u);
    EXPECT_EQ(answer.body, packages);
    EXPECT_TRUE(snapshot_->rendered.rendered(RenderCache::packages));
}

TEST_F(RenderOffStrandTest, ConcurrentFirstRequestsShareOneRender) {
    OffStrandServer server(agent_);
    std::future<OffStrandAnswer> first;
    std::future<OffStrandAnswer> second;
    // Its bytes are not the view's: an answer carrying them was not rendered again.
    HeldRender held(snapshot_, RenderCache::metrics, "# the one render\n");

    first = start_off_strand_exchange(server.port(), "/metrics");
    second = start_off_strand_exchange(server.port(), "/metrics");
    ASSERT_TRUE(agent_.wait_for_reads(2)) << "the server never took up both requests";
    EXPECT_EQ(off_strand_exchange(server.port(), "/healthz").status, 200u);

    held.release();
    for (auto* pending : {&first, &second}) {
        ASSERT_EQ(pending->wait_for(kOffStrandDeadline), std::future_status::ready);
        const auto answer = pending->get();
        EXPECT_EQ(answer.status, 200u);
        // The snapshot's part, then the endpoint's own counters, rendered per request.
        EXPECT_EQ(answer.body.rfind("# the one render\n", 0), 0u) << answer.body.substr(0, 200);
        EXPECT_NE(answer.body.find("psguard_endpoint_"), std::string::npos);
    }
}

TEST_F(RenderOffStrandTest, StopDuringARenderEndsPromptlyOnceItIsDone) {
    OffStrandServer server(agent_);
    std::future<OffStrandAnswer> first;
    HeldRender held(snapshot_, RenderCache::journal, std::nullopt);

    first = start_off_strand_exchange(server.port(), "/v1/journal");
    ASSERT_TRUE(agent_.wait_for_reads(1));
    server.server()->stop();
    held.release();
    // The render finished (rendered by the server after the held one threw); the connection,
    // closed by the stop, ends without an answer and the io_context runs out of work.
    EXPECT_TRUE(server.finished()) << "the io_context still runs after stop()";
    ASSERT_EQ(first.wait_for(kOffStrandDeadline), std::future_status::ready);
    EXPECT_EQ(first.get().status, 0u);
}

TEST_F(RenderOffStrandTest, DestroyedAfterItsIoContextStoppedWaitsForTheRender) {
    // As `psguard run` ends: the io_context stops, then the server is destroyed, then the
    // io_context. The render still running must not resume its connection on a dead io_context.
    auto server = std::make_unique<OffStrandServer>(agent_);
    std::future<OffStrandAnswer> first;
    HeldRender held(snapshot_, RenderCache::status, std::nullopt);

    first = start_off_strand_exchange(server->port(), "/v1/status");
    ASSERT_TRUE(agent_.wait_for_reads(1));
    server->io().stop();
    ASSERT_TRUE(server->finished());
    auto destroyed = std::async(std::launch::async, [&server] { server->server().reset(); });
    held.release();
    ASSERT_EQ(destroyed.wait_for(kOffStrandDeadline), std::future_status::ready)
        << "~StatusServer still waits after the render ended";
    server.reset();  // the io_context, with the connection's pending handlers
    ASSERT_EQ(first.wait_for(kOffStrandDeadline), std::future_status::ready);
    EXPECT_EQ(first.get().status, 0u);
}

}  // namespace
}  // namespace psguard
