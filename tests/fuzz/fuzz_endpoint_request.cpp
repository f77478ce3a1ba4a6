// libFuzzer target: the status endpoint's real request path. A StatusServer listens on
// 127.0.0.1 (its io_context on a thread of its own, as in `psguard run`); each input is sent as
// raw bytes over a fresh loopback connection, then the client half-closes and reads until the
// server closes. So Beast's parser, the server's limits and refusals, the routes and the views
// over a realistic published state all see the input, exactly as they would from a client.
// Invariant: the server answers every input that is not empty with a status line, and survives.
#include <utility>  // Boost 1.74's asio/awaitable.hpp needs std::exchange

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "endpoint/status_server.hpp"
#include "support/sample_agent_snapshot.hpp"
#include "unit/endpoint_fake_agent.hpp"

namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// A published state shaped like the agent's: a typed report (a healthy, a stale and an
// undecided package, findings, a heal phase with an action, an ACL check that fails and the
// agent's evidence), written out here so that the fuzz build needs only the endpoint's sources
// and the report's renderers; the rest of the state as the endpoint's unit tests have it.
std::shared_ptr<psguard::AgentSnapshot> published_state() {
    using namespace psguard;
    CheckReport report;
    report.server = "PS01";
    report.ns.url = "https://ns.example.com";
    report.ns.reachable = true;
    report.ns.usable = true;
    report.ns.rows = 2;
    report.ns.attempts = 1;
    report.packages.push_back({test::kHealthyId, "Office", Verdict::healthy,
                               "Ready here and on the NS", LocalView{"Ready", "1601867730"},
                               NsView{"Ready", "1601867730", "1601867730"}});
    report.packages.push_back({test::kStaleId, "Java", Verdict::stale_on_ns,
                               "Ready here, Invalid on the NS", LocalView{"Ready", "7"},
                               NsView{"Invalid", "7", "7"}});
    report.packages.push_back({test::kLocalOnlyId, "", std::nullopt, "NS state unknown",
                               LocalView{"Ready", "3"}, std::nullopt});
    report.findings.push_back(
        {FindingKind::unexpected_entry, "/srv/Package Delivery/x", "a file", false});
    AclReport& acl = report.acl.emplace();
    acl.account = "DOMAIN\\svc-ps";
    acl.configured = true;
    acl.account_resolved = true;
    AclResult denied;
    denied.path = "/srv/PackageStatus";
    denied.account = acl.account;
    denied.required = {"modify"};
    denied.granted = {"read"};
    denied.missing = {"write"};
    acl.results.push_back(denied);
    EvidenceCycleResult& evidence = report.evidence.emplace();
    Evidence item;
    item.kind = EvidenceKind::access_denied;
    item.time = "May 16 11:51:05";
    item.source = "CreateDirectoryPath";
    item.message = "Cannot create directory: 0x80070005 [Access is denied]";
    item.where = "agent.log:120";
    evidence.items.push_back(item);
    evidence.totals = {{EvidenceKind::access_denied, 4}};
    evidence.diagnosis = {Cause::acl_missing, "the account cannot write", {0}};
    report.diagnosis = Cause::acl_missing;
    report.diagnosis_summary = "the account cannot write";
    HealReport& heal = report.heal.emplace();
    heal.budget_left_today = 49;
    heal.decisions[test::kStaleId] = {HealState::done, "moved", "20261126T063000Z-6d417916-1"};
    heal.actions.push_back(
        {"20261126T063000Z-6d417916-1", test::kStaleId, {"snapshot.xml"}, ActionOutcome::done, ""});

    return test::sample_agent_snapshot(
        now_seconds(), std::make_shared<const CheckReport>(std::move(report)), test::kStaleId);
}

class Harness {
  public:
    Harness() : work_(net::make_work_guard(io_)) {
        agent_.set_snapshot(published_state());
        psguard::EndpointConfig config;
        config.port = 0;
        // Long enough never to expire within libFuzzer's 10 s per input, even on a loaded
        // machine: a request that times out is dropped without an answer, by design.
        config.read_timeout = std::chrono::seconds(60);
        server_.emplace(io_, config, agent_);
        auto port = server_->start();
        if (!port) {
            std::abort();
        }
        endpoint_ = tcp::endpoint(net::ip::make_address("127.0.0.1"), *port);
        thread_ = std::thread([this] { io_.run(); });
    }
    ~Harness() {
        server_->stop();
        work_.reset();
        thread_.join();
    }
    Harness(const Harness&) = delete;
    Harness& operator=(const Harness&) = delete;

    // The server's whole answer to `bytes`.
    std::string exchange(const std::uint8_t* data, std::size_t size) {
        // libFuzzer's timer signal may interrupt any blocking call of this thread: an
        // interrupted call is repeated, never taken for the server's answer (or its silence).
        net::io_context client_io;
        tcp::socket socket(client_io);
        boost::system::error_code ec;
        for (int attempt = 0;; ++attempt) {
            socket.close(ec);
            socket.connect(endpoint_, ec);
            if (ec != net::error::interrupted || attempt == 100) {
                break;
            }
        }
        if (ec) {
            std::fprintf(stderr, "connect: %s\n", ec.message().c_str());
            std::abort();  // the server stopped accepting
        }
        // Closed with a reset once the answer is read: the client side of tens of thousands of
        // connections must not sit in TIME_WAIT and use up the ephemeral ports (the server has
        // closed its side by then).
        socket.set_option(net::socket_base::linger(true, 0), ec);
        for (std::size_t sent = 0; sent < size;) {
            sent += socket.write_some(net::buffer(data + sent, size - sent), ec);
            if (ec && ec != net::error::interrupted) {
                break;  // a reset while writing is an answer too (the server refused early)
            }
        }
        socket.shutdown(tcp::socket::shutdown_send, ec);
        std::string answer;
        std::array<char, 4096> chunk{};
        for (;;) {
            const std::size_t got = socket.read_some(net::buffer(chunk), ec);
            answer.append(chunk.data(), got);
            if (ec == net::error::interrupted) {
                continue;
            }
            if (ec) {
                break;
            }
        }
        return answer;
    }

  private:
    net::io_context io_;
    net::executor_work_guard<net::io_context::executor_type> work_;
    psguard::test::FakeAgent agent_;
    std::optional<psguard::StatusServer> server_;
    tcp::endpoint endpoint_;
    std::thread thread_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Harness* harness = new Harness();  // lives until exit: one server for the whole run
    static std::size_t transient_silences = 0;
    std::string answer = harness->exchange(data, size);
    // Bytes that start a request line get an HTTP answer; a bare close is fine only for input
    // that the server may read as "no request at all" (empty, or only blank lines).
    bool only_blank = true;
    for (std::size_t i = 0; i < size; ++i) {
        if (data[i] != '\r' && data[i] != '\n') {
            only_blank = false;
            break;
        }
    }
    if (!only_blank && answer.empty()) {
        // Seen about once in 10,000-30,000 connections before the client repeated interrupted
        // calls (libFuzzer's timer signal, see exchange); kept as a safety net: counted and
        // retried once, and an input that gets no answer twice is a finding.
        ++transient_silences;
        std::fprintf(stderr, "no answer, retrying once (%zu so far)\n", transient_silences);
        answer = harness->exchange(data, size);
    }
    if (!only_blank && answer.rfind("HTTP/1.", 0) != 0) {
        std::fprintf(stderr, "no HTTP answer (%zu bytes came back)\n", answer.size());
        std::abort();
    }
    return 0;
}
