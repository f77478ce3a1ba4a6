// `psguard run` end to end: the real binary as a foreground daemon, real signals, real file
// changes, the NS emulator over TLS. What the agent did is read from its log (stderr).
#include <utility>  // first: Boost 1.74's asio/awaitable.hpp lacks it

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <map>
#include <thread>
#include <tuple>

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

#include "integration/package_tree.hpp"
#include "pki/certs.hpp"
#include "support/child_process.hpp"
#include "support/https_client.hpp"
#include "support/ns_emulator.hpp"
#include "support/temp_dir.hpp"

namespace psguard::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string kReportGuid = "{a1b2c3d4-0000-4000-8000-000000000001}";
const std::string kPackage = "{6C821F5E-1234-4ABC-9DEF-0123456789AB}";

class AgentRun : public ::testing::Test {
  protected:
    AgentRun() : tree_(dir_ / "agent") {
        tree_.add({.guid = kPackage});
        ns_.emplace(nlohmann::json{{"server", "PS01"},
                                   {"report_guid", kReportGuid},
                                   {"auth", {{"type", "none"}}},
                                   {"packages",
                                    {{{"guid", kPackage},
                                      {"name", "Adobe Reader"},
                                      {"status", "Ready"},
                                      {"ns_version", "1601867730"},
                                      {"reported_version", "1601867730"}}}},
                                   {"fault", "none"}});
        write_config(config());
    }

    nlohmann::json config() const {
        return {{"package_server", {{"name", "PS01"}}},
                {"paths",
                 {{"package_delivery", tree_.delivery().string()},
                  {"package_status", tree_.status().string()},
                  {"state_dir", (dir_ / "state").string()}}},
                {"ns",
                 {{"url", ns_->url()},
                  {"report_guid", kReportGuid},
                  {"ca_file", ns_->ca_file().string()},
                  {"timeout_seconds", 5},
                  {"max_retries", 0}}},
                {"agent", {{"interval_minutes", 60}, {"debounce_ms", 300}}},
                {"endpoint", {{"port", 0}}}};
    }

    void write_config(const nlohmann::json& cfg) const {
        std::ofstream(dir_ / "psguard.json") << cfg.dump(2);
    }

    ChildProcess start(std::vector<std::pair<std::string, std::string>> env = {}) const {
        ChildOptions options;
        options.environment = std::move(env);
        return ChildProcess(
            {PSGUARD_BINARY_PATH, "run", "--config", (dir_ / "psguard.json").string()}, options);
    }

    // Waits until the log holds `count` occurrences of `text`.
    static bool wait_for_log(const ChildProcess& process, const std::string& text, int count = 1,
                             std::chrono::milliseconds timeout = 10s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            const std::string log = process.stderr_text();
            int found = 0;
            for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) {
                ++found;
            }
            if (found >= count) {
                return true;
            }
            std::this_thread::sleep_for(50ms);
        }
        return false;
    }

    // The port the agent says its endpoint listens on (configured as 0: the system picks), or 0.
    static std::uint16_t endpoint_port(const ChildProcess& process) {
        const std::string log = process.stderr_text();
        const auto line = log.find("status endpoint on http");
        const std::string address = "://127.0.0.1:";
        const auto at = log.find(address, line);
        return line == std::string::npos || at == std::string::npos
                   ? 0
                   : static_cast<std::uint16_t>(std::stoi(log.substr(at + address.size())));
    }

    // `psguard status [extra]` with the agent's configuration, its endpoint at `port`: exit
    // code, stdout, stderr.
    std::tuple<int, std::string, std::string> status_command(
        std::uint16_t port, const std::vector<std::string>& extra = {}) const {
        auto status_config = nlohmann::json::parse(std::ifstream(dir_ / "psguard.json"));
        status_config["endpoint"]["port"] = port;
        std::ofstream(dir_ / "status.json") << status_config.dump(2);
        std::vector<std::string> argv = {PSGUARD_BINARY_PATH, "status", "--config",
                                         (dir_ / "status.json").string()};
        argv.insert(argv.end(), extra.begin(), extra.end());
        ChildProcess process(argv);
        const auto code = process.wait(10s);
        return {code.value_or(-1), process.stdout_text(), process.stderr_text()};
    }

    // An endpoint certificate for localhost and 127.0.0.1 from a test CA (pki/ca.pem), written
    // into the configuration's endpoint.tls (with that CA for client certificates, if asked).
    fs::path configure_endpoint_tls(bool client_certificates) const {
        const auto pki = dir_ / "endpoint-pki";
        make_certs({.dir = pki});
        auto cfg = config();
        cfg["endpoint"]["tls"] = {{"cert_file", (pki / "server.pem").string()},
                                  {"key_file", (pki / "server.key").string()}};
        if (client_certificates) {
            cfg["endpoint"]["tls"]["client_ca_file"] = (pki / "ca.pem").string();
        }
        write_config(cfg);
        return pki;
    }

    // `psguard validate-config` of the agent's configuration.
    ChildProcess validate_config() const {
        return ChildProcess(
            {PSGUARD_BINARY_PATH, "validate-config", "--config", (dir_ / "psguard.json").string()});
    }

    TempDir dir_{"psguard-run"};
    PackageTree tree_;
    std::optional<NsEmulator> ns_;
};

TEST_F(AgentRun, RunsAFirstCycleAndStopsOnSigtermWithinFiveSeconds) {
    auto agent = start();
    ASSERT_TRUE(wait_for_log(agent, "cycle (start)")) << agent.stderr_text();
    EXPECT_NE(agent.stderr_text().find("1 healthy"), std::string::npos) << agent.stderr_text();
    const auto before = std::chrono::steady_clock::now();
    agent.signal(SIGTERM);
    const auto code = agent.wait(5s);
    ASSERT_TRUE(code.has_value()) << "still running 5 s after SIGTERM";
    EXPECT_EQ(*code, 0);
    EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
    EXPECT_NE(agent.stderr_text().find("psguard stopped"), std::string::npos);
}

TEST_F(AgentRun, SigintStopsToo) {
    auto agent = start();
    ASSERT_TRUE(wait_for_log(agent, "cycle (start)"));
    agent.signal(SIGINT);
    EXPECT_EQ(agent.wait(5s), 0);
}

TEST_F(AgentRun, AChangedFileIsRecheckedWithinSeconds) {
    auto agent = start();
    ASSERT_TRUE(wait_for_log(agent, "cycle (start)"));
    std::ofstream(tree_.status() / kPackage / "PackageStatus.xml")
        << "<PackageStatus status=\"Downloading\" version=\"1601867730\"/>";
    ASSERT_TRUE(wait_for_log(agent, "cycle (file_change)", 1, 5s)) << agent.stderr_text();
    EXPECT_NE(agent.stderr_text().find("1 not_ready_locally"), std::string::npos)
        << agent.stderr_text();
    // Only the changed package was read again; the next full scan agrees with it.
    EXPECT_NE(agent.stderr_text().find("incremental (1 packages) scan"), std::string::npos)
        << agent.stderr_text();
    agent.stop();
}

TEST_F(AgentRun, LostWatchEventsTriggerAFullRescan) {
    auto agent = start({{"PSGUARD_FAULT_POINT", "watch:overflow"}});
    ASSERT_TRUE(wait_for_log(agent, "cycle (start)"));
    std::ofstream(tree_.delivery() / kPackage / "cache" / "extra.bin") << "x";
    ASSERT_TRUE(wait_for_log(agent, "cycle (rescan)", 1, 5s)) << agent.stderr_text();
    EXPECT_NE(agent.stderr_text().find("lost events"), std::string::npos);
    EXPECT_TRUE(wait_for_log(agent, " full scan:", 2, 1s)) << agent.stderr_text();  // start, rescan
    EXPECT_EQ(agent.stderr_text().find("incremental"), std::string::npos) << agent.stderr_text();
    agent.stop();
}

TEST_F(AgentRun, SighupReloadsAGoodConfigAndKeepsTheOldOnABadOne) {
    auto agent = start();
    ASSERT_TRUE(wait_for_log(agent, "cycle (start)"));
    std::ofstream(dir_ / "psguard.json") << "{ \"ns\": 5 }";
    agent.signal(SIGHUP);
    ASSERT_TRUE(wait_for_log(agent, "reload refused")) << agent.stderr_text();
    EXPECT_NE(agent.stderr_text().find("ns: expected an object"), std::string::npos);

    auto cfg = config();
    cfg["package_server"]["name"] = "PS01";
    cfg["agent"]["debounce_ms"] = 100;
    write_config(cfg);
    agent.signal(SIGHUP);
    ASSERT_TRUE(wait_for_log(agent, "configuration reloaded")) << agent.stderr_text();
    // Still alive and working after both.
    std::ofstream(tree_.status() / kPackage / "PackageStatus.xml")
        << "<PackageStatus status=\"Ready\" version=\"1601867730\" />";
    EXPECT_TRUE(wait_for_log(agent, "cycle (file_change)", 1, 5s)) << agent.stderr_text();
    agent.signal(SIGTERM);
    EXPECT_EQ(agent.wait(5s), 0);
}

// The real agent's endpoint: health, status, metrics, and the token on POST /v1/check.
TEST_F(AgentRun, ServesItsStatusEndpointOnLoopback) {
    auto agent = start();
    ASSERT_TRUE(wait_for_log(agent, "cycle (start)"));
    const auto port = endpoint_port(agent);
    ASSERT_NE(port, 0) << agent.stderr_text();
    const auto get = [&](const std::string& target) {
        ClientRequest request;
        request.tls = false;
        request.port = port;
        request.target = target;
        return https_request(request);
    };
    EXPECT_EQ(get("/healthz").status, 200u);
    const auto status = get("/v1/status");
    ASSERT_EQ(status.status, 200u) << status.body;
    const auto document = nlohmann::json::parse(status.body);
    EXPECT_EQ(document["summary"]["healthy"], 1) << document.dump(2);
    EXPECT_EQ(document["last_cycle"]["trigger"], "start");
    const auto metrics = get("/metrics");
    EXPECT_NE(metrics.body.find("psguard_cycles_total"), std::string::npos) << metrics.body;

    ClientRequest post;
    post.tls = false;
    post.port = port;
    post.method = boost::beast::http::verb::post;
    post.target = "/v1/check";
    EXPECT_EQ(https_request(post).status, 401u);
    std::ifstream token_file(dir_ / "state" / "endpoint.token");
    std::string token;
    std::getline(token_file, token);
    ASSERT_FALSE(token.empty());
    post.headers.push_back({"Authorization", "Bearer " + token});
    EXPECT_EQ(https_request(post).status, 202u);
    EXPECT_TRUE(wait_for_log(agent, "cycle (endpoint)", 1, 5s)) << agent.stderr_text();
    agent.signal(SIGTERM);
    EXPECT_EQ(agent.wait(5s), 0);
}

// `psguard status` reads the running agent's endpoint; the configuration says where it is.
TEST_F(AgentRun, StatusCommandSummarisesTheRunningAgentAndSaysWhenItIsNot) {
    auto agent = start();
    ASSERT_TRUE(wait_for_log(agent, "cycle (start)"));
    const auto port = endpoint_port(agent);
    ASSERT_NE(port, 0) << agent.stderr_text();
    const auto status = [&](const std::vector<std::string>& extra) {
        return status_command(port, extra);
    };

    const auto [code, table, table_err] = status({});
    EXPECT_EQ(code, 0) << table << table_err;
    EXPECT_NE(table.find("psguard 0.1.0 on PS01"), std::string::npos) << table;
    EXPECT_NE(table.find("(healthy)"), std::string::npos) << table;
    EXPECT_NE(table.find("Packages:   1 healthy"), std::string::npos) << table;
    EXPECT_NE(table.find("Last cycle: "), std::string::npos) << table;
    EXPECT_NE(table.find("(start, full scan"), std::string::npos) << table;

    const auto [json_code, json_text, json_err] = status({"--json"});
    EXPECT_EQ(json_code, 0) << json_err;
    const auto document = nlohmann::json::parse(json_text);
    EXPECT_EQ(document["healthy"], true);
    EXPECT_EQ(document["status"]["summary"]["healthy"], 1) << json_text;

    agent.signal(SIGTERM);
    ASSERT_EQ(agent.wait(5s), 0);
    const auto [down_code, down_out, down_err] = status({});
    EXPECT_EQ(down_code, 4) << down_out;
    EXPECT_NE(down_err.find("psguard is not running"), std::string::npos) << down_err;
}

// The real binary under load: 500 connections at once, half of them garbage, while the agent
// runs its cycles; every one gets an answer and the agent serves normally afterwards.
TEST_F(AgentRun, FiveHundredConnectionsWithGarbageLeaveTheRealAgentServing) {
    namespace net = boost::asio;
    namespace beast = boost::beast;
    using tcp = net::ip::tcp;
    auto cfg = config();
    cfg["endpoint"]["max_connections"] = 1000;
    write_config(cfg);
    auto agent = start();
    ASSERT_TRUE(wait_for_log(agent, "cycle (start)"));
    const auto port = endpoint_port(agent);
    ASSERT_NE(port, 0) << agent.stderr_text();

    constexpr std::size_t kClients = 500;
    net::io_context io;
    std::vector<beast::tcp_stream> streams;
    streams.reserve(kClients);
    const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
    for (std::size_t i = 0; i < kClients; ++i) {
        streams.emplace_back(io);
        streams.back().socket().connect(endpoint);
    }
    std::vector<unsigned> statuses(kClients, 0);
    for (std::size_t i = 0; i < kClients; ++i) {
        net::co_spawn(
            io,
            [&stream = streams[i], &status = statuses[i], i]() -> net::awaitable<void> {
                beast::error_code ec;
                stream.expires_after(30s);
                const std::string request =
                    i % 2 == 0 ? "GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                               : "\x16\x03\x01 \xff\xfe not http at all\r\n\r\n";
                co_await net::async_write(stream, net::buffer(request),
                                          net::redirect_error(net::use_awaitable, ec));
                beast::flat_buffer buffer;
                beast::http::response<beast::http::string_body> response;
                if (!ec) {
                    co_await beast::http::async_read(stream, buffer, response,
                                                     net::redirect_error(net::use_awaitable, ec));
                }
                status = ec ? 0 : response.result_int();
            },
            net::detached);
    }
    io.run_for(40s);
    std::map<unsigned, std::size_t> by_status;
    for (const unsigned status : statuses) {
        ++by_status[status];
    }
    EXPECT_EQ(by_status[200], kClients / 2);
    EXPECT_EQ(by_status[400], kClients / 2);

    // Still the same agent, still serving, still cycling.
    ClientRequest health;
    health.tls = false;
    health.port = port;
    health.target = "/healthz";
    EXPECT_EQ(https_request(health).status, 200u);
    std::ofstream(tree_.status() / kPackage / "PackageStatus.xml")
        << "<PackageStatus status=\"Downloading\" version=\"1601867730\"/>";
    EXPECT_TRUE(wait_for_log(agent, "cycle (file_change)", 1, 10s)) << agent.stderr_text();
    agent.signal(SIGTERM);
    EXPECT_EQ(agent.wait(5s), 0);
}

// TLS with the real binary: clients without a certificate from endpoint.tls.client_ca_file get
// nothing, and `psguard status` speaks TLS to its own endpoint (presenting the endpoint's own
// certificate and key).
TEST_F(AgentRun, ServesTlsAndPsguardStatusSpeaksIt) {
    const auto pki = configure_endpoint_tls(true);
    auto agent = start();
    ASSERT_TRUE(wait_for_log(agent, "cycle (start)")) << agent.stderr_text();
    EXPECT_NE(agent.stderr_text().find("status endpoint on https://127.0.0.1:"), std::string::npos)
        << agent.stderr_text();
    EXPECT_NE(agent.stderr_text().find("endpoint certificate: "), std::string::npos);
    const auto port = endpoint_port(agent);
    ASSERT_NE(port, 0) << agent.stderr_text();

    ClientRequest request;
    request.port = port;
    request.ca_file = pki / "ca.pem";
    request.target = "/healthz";
    const auto without_certificate = https_request(request);
    EXPECT_EQ(without_certificate.status, 0u) << without_certificate.body;
    request.tls = false;
    EXPECT_EQ(https_request(request).status, 0u) << "plain HTTP on a TLS endpoint";

    const auto [code, out, err] = status_command(port);
    EXPECT_EQ(code, 0) << out << err;
    EXPECT_NE(out.find("Endpoint:   https://127.0.0.1:" + std::to_string(port) + " (healthy)"),
              std::string::npos)
        << out;
    agent.signal(SIGTERM);
    EXPECT_EQ(agent.wait(5s), 0);
}

// A renewed certificate (here from another CA, so a client can tell) is served to new
// connections after SIGHUP; a renewal that does not load keeps the one served.
TEST_F(AgentRun, SighupServesARenewedEndpointCertificate) {
    const auto pki = configure_endpoint_tls(false);
    auto agent = start();
    ASSERT_TRUE(wait_for_log(agent, "cycle (start)")) << agent.stderr_text();
    const auto port = endpoint_port(agent);
    ASSERT_NE(port, 0) << agent.stderr_text();
    const auto answer_trusting = [&](const fs::path& ca) {
        ClientRequest request;
        request.port = port;
        request.ca_file = ca;
        request.target = "/healthz";
        return https_request(request).status;
    };
    EXPECT_EQ(answer_trusting(pki / "ca.pem"), 200u);

    make_ca(pki, "renewal-ca");
    issue_cert(pki, "renewed", {.ca_stem = "renewal-ca"});
    EXPECT_EQ(answer_trusting(pki / "renewal-ca.pem"), 0u);
    fs::copy_file(pki / "renewed.pem", pki / "server.pem", fs::copy_options::overwrite_existing);
    fs::copy_file(pki / "renewed.key", pki / "server.key", fs::copy_options::overwrite_existing);
    agent.signal(SIGHUP);
    ASSERT_TRUE(wait_for_log(agent, "endpoint certificate: ", 2)) << agent.stderr_text();
    EXPECT_EQ(answer_trusting(pki / "renewal-ca.pem"), 200u);
    EXPECT_EQ(answer_trusting(pki / "ca.pem"), 0u);

    std::ofstream(pki / "server.pem", std::ios::trunc) << "renewal interrupted\n";
    agent.signal(SIGHUP);
    ASSERT_TRUE(wait_for_log(agent, "endpoint TLS not reloaded")) << agent.stderr_text();
    EXPECT_EQ(answer_trusting(pki / "renewal-ca.pem"), 200u);
    agent.signal(SIGTERM);
    EXPECT_EQ(agent.wait(5s), 0);
}

// Beyond loopback the endpoint must speak TLS: validate-config and run refuse, naming the fix.
TEST_F(AgentRun, ANonLoopbackBindWithoutTlsIsRefused) {
    auto cfg = config();
    cfg["endpoint"]["bind"] = "0.0.0.0";
    write_config(cfg);
    auto validate = validate_config();
    EXPECT_EQ(validate.wait(10s), 2);
    EXPECT_NE(validate.stderr_text().find("0.0.0.0 is not a loopback address, so the endpoint "
                                          "must speak TLS"),
              std::string::npos)
        << validate.stderr_text();
    auto agent = start();
    EXPECT_EQ(agent.wait(10s), 2);
    EXPECT_NE(agent.stderr_text().find("endpoint.tls.cert_file"), std::string::npos)
        << agent.stderr_text();

    const auto pki = configure_endpoint_tls(false);
    cfg = nlohmann::json::parse(std::ifstream(dir_ / "psguard.json"));
    cfg["endpoint"]["tls"]["key_file"] = (pki / "wrong-host.key").string();
    write_config(cfg);
    auto mismatched = validate_config();
    EXPECT_EQ(mismatched.wait(10s), 2);
    EXPECT_NE(mismatched.stderr_text().find("does not belong to the certificate"),
              std::string::npos)
        << mismatched.stderr_text();
    cfg["endpoint"]["tls"]["key_file"] = (pki / "server.key").string();
    write_config(cfg);
    auto valid = validate_config();
    EXPECT_EQ(valid.wait(10s), 0) << valid.stderr_text();
    EXPECT_NE(valid.stdout_text().find("over TLS (O = psguard test, CN = localhost, valid until "),
              std::string::npos)
        << valid.stdout_text();
}

TEST_F(AgentRun, ABadConfigurationFailsTheStartWithExitTwo) {
    std::ofstream(dir_ / "psguard.json") << "{}";
    auto agent = start();
    EXPECT_EQ(agent.wait(10s), 2);
    EXPECT_NE(agent.stderr_text().find("ns: required"), std::string::npos) << agent.stderr_text();
}

TEST_F(AgentRun, OnlyOneAgentPerStateFolder) {
    auto first = start();
    ASSERT_TRUE(wait_for_log(first, "cycle (start)"));
    auto second = start();
    EXPECT_EQ(second.wait(10s), 2);
    EXPECT_NE(second.stderr_text().find("another psguard"), std::string::npos)
        << second.stderr_text();
    first.stop();
}

}  // namespace
}  // namespace psguard::test
