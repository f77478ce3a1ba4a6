// `psguard run` end to end: the real binary as a foreground daemon, real signals, real file
// changes, the NS emulator over TLS. What the agent did is read from its log (stderr).
#include <utility>  // first: Boost 1.74's asio/awaitable.hpp lacks it

#include <gtest/gtest.h>

#include <pwd.h>
#include <unistd.h>

#include <csignal>
#include <ctime>
#include <fstream>
#include <iostream>
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

const std::string kPackage = "{6C821F5E-1234-4ABC-9DEF-0123456789AB}";

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// Waits until `file` holds `text`.
bool wait_for_file_text(const fs::path& file, const std::string& text,
                        std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (read_file(file).find(text) != std::string::npos) {
            return true;
        }
        std::this_thread::sleep_for(50ms);
    }
    return false;
}

// Running (or stopped, but not a zombie waiting for a parent to reap it).
bool process_alive(pid_t pid) {
    std::string stat;
    std::getline(std::ifstream("/proc/" + std::to_string(pid) + "/stat"), stat);
    const auto name_end = stat.rfind(')');
    return name_end != std::string::npos && name_end + 2 < stat.size() && stat[name_end + 2] != 'Z';
}

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

    // Waits until the NS emulator has answered `count` report requests.
    bool wait_for_ns_requests(int count, std::chrono::milliseconds timeout = 10s) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            if (ns_->requests()["count"].get<int>() >= count) {
                return true;
            }
            std::this_thread::sleep_for(50ms);
        }
        return false;
    }

    // The NS answers 503 and the agent waits a minute before its first retry.
    void configure_long_ns_backoff() {
        ns_->set_fault("http_503");
        auto cfg = config();
        cfg["ns"]["max_retries"] = 3;
        cfg["ns"]["retry_backoff_ms"] = 60000;
        write_config(cfg);
    }

    // Waits until `agent` got the NS's first answer: it is in its back-off then.
    void wait_for_ns_backoff(const ChildProcess& agent) {
        ASSERT_TRUE(wait_for_ns_requests(1)) << agent.stderr_text();
        std::this_thread::sleep_for(200ms);
    }

    // GET `target` from the agent's endpoint.
    static ClientResponse endpoint_get(std::uint16_t port, const std::string& target) {
        ClientRequest request;
        request.tls = false;
        request.port = port;
        request.target = target;
        return https_request(request);
    }

    // The token the agent wrote at its first start.
    std::string endpoint_token() const {
        std::string token;
        std::getline(std::ifstream(dir_ / "state" / "endpoint.token"), token);
        return token;
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
    const auto get = [&](const std::string& target) { return endpoint_get(port, target); };
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
    const std::string token = endpoint_token();
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

    // --set works as for check, run and validate-config (the agent's own file says port 0).
    ChildProcess with_set({PSGUARD_BINARY_PATH, "status", "--config",
                           (dir_ / "psguard.json").string(), "--set",
                           "endpoint.port=" + std::to_string(port)});
    EXPECT_EQ(with_set.wait(10s), 0) << with_set.stdout_text() << with_set.stderr_text();

    agent.signal(SIGTERM);
    ASSERT_EQ(agent.wait(5s), 0);
    const auto [down_code, down_out, down_err] = status({});
    EXPECT_EQ(down_code, 4) << down_out;
    EXPECT_NE(down_err.find("psguard is not running"), std::string::npos) << down_err;
}

// Item 3 of issue 13: bytes that are not UTF-8 in a status attribute and in the name of an
// agent log file (whose path is the evidence's "where") cost the agent nothing: /v1/status and
// /v1/packages serve valid JSON, the name escaped ("\xff"), the value with U+FFFD; the log
// stays valid UTF-8; the agent keeps running and stops cleanly.
TEST_F(AgentRun, BadBytesReachTheEndpointAsValidJson) {
    std::ofstream(tree_.status() / kPackage / "PackageStatus.xml",
                  std::ios::binary | std::ios::trunc)
        << "<PackageStatus status=\"Re\xFF"
           "ady\x1B&#10;X\" version=\"1601867730\"/>";
    const auto logs = dir_ / "agent-logs";
    fs::create_directories(logs);
    // Dated now, as the agent writes it ("May 16 11:51:05"): older evidence ages out.
    char date[32];
    const std::time_t now = std::time(nullptr);
    std::strftime(date, sizeof date, "%b %d %H:%M:%S", std::gmtime(&now));
    std::ofstream(logs / "agent\xFF.log", std::ios::binary)
        << "<event date='" << date
        << "' severity='2' hostName='xx100' "
           "source='CreateDirectoryPath' module='AeXNSAgent.exe' process='AeXNSAgent.exe' "
           "pid='724' thread='1740' tickCount='1' > <![CDATA[Cannot create directory: "
           "0x80070005 [Access is denied] d:\\x\xFF]]></event>\n";
    auto cfg = config();
    cfg["evidence"] = {{"log_dir", logs.string()}};
    write_config(cfg);

    auto agent = start();
    ASSERT_TRUE(wait_for_log(agent, "cycle (start)")) << agent.stderr_text();
    const auto port = endpoint_port(agent);
    ASSERT_NE(port, 0) << agent.stderr_text();
    const auto get = [&](const std::string& target) { return endpoint_get(port, target); };
    const auto status = get("/v1/status");
    ASSERT_EQ(status.status, 200u) << status.body;
    const auto document = nlohmann::json::parse(status.body);  // refuses invalid UTF-8
    EXPECT_NE(document["evidence"].dump().find("agent\\\\xff.log"), std::string::npos)
        << document["evidence"].dump(2);
    const auto packages = get("/v1/packages");
    ASSERT_EQ(packages.status, 200u) << packages.body;
    const auto list = nlohmann::json::parse(packages.body);
    ASSERT_EQ(list["packages"].size(), 1u) << packages.body;
    EXPECT_EQ(list["packages"][0]["local"]["status"],
              "Re\xEF\xBF\xBD"
              "ady\x1B\nX");
    EXPECT_NO_THROW((void)nlohmann::json(agent.stderr_text()).dump()) << "the log is UTF-8";
    agent.signal(SIGTERM);
    EXPECT_EQ(agent.wait(5s), 0) << agent.stderr_text();
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

// Issue 13, item 2: stopping while the folder watcher reports changes crashed (the watcher
// thread logged after spdlog::shutdown()). Every stop of 50, with files churning in a package
// folder all along, ends with exit 0.
TEST_F(AgentRun, StopsCleanlyFiftyTimesWhileFilesChange) {
    // Stopped and joined when it goes out of scope, a failed assertion included.
    std::jthread writer([folder = tree_.delivery() / kPackage](std::stop_token done) {
        for (int i = 0; !done.stop_requested(); ++i) {
            std::ofstream(folder / ("churn" + std::to_string(i % 20) + ".tmp")) << i;
            std::error_code ignored;
            fs::remove(folder / ("churn" + std::to_string((i + 10) % 20) + ".tmp"), ignored);
            std::this_thread::sleep_for(100us);
        }
    });
    const auto started = std::chrono::steady_clock::now();
    int clean = 0;
    for (int run = 0; run < 50; ++run) {
        auto agent = start();
        ASSERT_TRUE(wait_for_log(agent, "status endpoint on", 1, 5s)) << agent.stderr_text();
        std::this_thread::sleep_for(std::chrono::milliseconds(run % 5 * 20));
        agent.signal(SIGTERM);
        const auto code = agent.wait(5s);
        EXPECT_EQ(code, 0) << "stop " << run << " ended with " << code.value_or(-1) << ":\n"
                           << agent.stderr_text();
        if (code != 0) {
            break;
        }
        ++clean;
    }
    EXPECT_EQ(clean, 50);
    std::cout << "[ info     ] 50 starts and stops in "
              << std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - started)
                     .count()
              << " ms\n";
}

// Issue 13, item 8: a local user holding every endpoint slot with idle sockets starved /healthz
// (503) and `psguard status` (exit 4). The idle ones give way; `status` also finds the endpoint
// through --set.
TEST_F(AgentRun, HealthAndStatusAnswerWhileIdleSocketsHoldEverySlot) {
    namespace net = boost::asio;
    auto agent = start();  // endpoint.max_connections: the default, 256
    ASSERT_TRUE(wait_for_log(agent, "cycle (start)"));
    const auto port = endpoint_port(agent);
    ASSERT_NE(port, 0) << agent.stderr_text();
    net::io_context io;
    std::vector<net::ip::tcp::socket> held;
    for (int i = 0; i < 300; ++i) {
        held.emplace_back(io).connect({net::ip::make_address("127.0.0.1"), port});
    }
    std::this_thread::sleep_for(1500ms);  // idle for more than a second

    EXPECT_EQ(endpoint_get(port, "/healthz").status, 200u);
    ChildProcess status({PSGUARD_BINARY_PATH, "status", "--config",
                         (dir_ / "psguard.json").string(), "--set",
                         "endpoint.port=" + std::to_string(port)});
    EXPECT_EQ(status.wait(10s), 0) << status.stdout_text() << status.stderr_text();
    EXPECT_NE(status.stdout_text().find("(healthy)"), std::string::npos) << status.stdout_text();
    held.clear();
    agent.signal(SIGTERM);
    EXPECT_EQ(agent.wait(5s), 0);
}

// Issue 13, item 9: cycle_running stayed false during a cycle. The NS answers after 3 s: during
// that cycle /v1/status and /metrics say it runs (and POST /v1/check is 409); after it, not.
TEST_F(AgentRun, StatusAndMetricsShowTheCycleInFlight) {
    ns_->set_scenario({{"fault", "delay"}, {"fault_delay_ms", 3000}});
    auto agent = start();
    ASSERT_TRUE(wait_for_log(agent, "status endpoint on"));
    const auto port = endpoint_port(agent);
    ASSERT_NE(port, 0) << agent.stderr_text();
    const auto get = [&](const std::string& target) { return endpoint_get(port, target); };
    ASSERT_TRUE(wait_for_ns_requests(1)) << agent.stderr_text();  // the first cycle waits on it
    const auto running = nlohmann::json::parse(get("/v1/status").body);
    EXPECT_EQ(running["cycle_running"], true) << running.dump();
    EXPECT_NE(get("/metrics").body.find("\npsguard_cycle_running 1\n"), std::string::npos);
    ClientRequest post;
    post.tls = false;
    post.port = port;
    post.method = boost::beast::http::verb::post;
    post.target = "/v1/check";
    post.headers.push_back({"Authorization", "Bearer " + endpoint_token()});
    EXPECT_EQ(https_request(post).status, 409u);

    ASSERT_TRUE(wait_for_log(agent, "cycle (start)", 1, 10s)) << agent.stderr_text();
    const auto finished = nlohmann::json::parse(get("/v1/status").body);
    EXPECT_EQ(finished["cycle_running"], false) << finished.dump();
    EXPECT_NE(get("/metrics").body.find("\npsguard_cycle_running 0\n"), std::string::npos);
    agent.signal(SIGTERM);
    EXPECT_EQ(agent.wait(5s), 0);
}

// Issue 13, item 10: the log file stayed empty while the agent ran (and after a SIGKILL). Info
// lines reach it within seconds, errors and warnings at once, and a SIGKILL loses none of them.
TEST_F(AgentRun, TheLogFileIsWrittenWhileRunningAndSurvivesSigkill) {
    const fs::path log_file = dir_ / "state" / "logs" / "psguard.log";
    auto agent = start();
    EXPECT_TRUE(wait_for_file_text(log_file, " starting: server PS01", 5s)) << read_file(log_file);
    EXPECT_TRUE(wait_for_file_text(log_file, "cycle (start)", 5s)) << read_file(log_file);
    std::ofstream(dir_ / "psguard.json") << "{ \"ns\": 5 }";
    agent.signal(SIGHUP);
    ASSERT_TRUE(wait_for_log(agent, "reload refused")) << agent.stderr_text();
    EXPECT_NE(read_file(log_file).find("reload refused"), std::string::npos) << "not at once";
    agent.signal(SIGKILL);
    EXPECT_EQ(agent.wait(5s), 128 + SIGKILL);
    const std::string kept = read_file(log_file);
    EXPECT_NE(kept.find(" starting: server PS01"), std::string::npos) << kept;
    EXPECT_NE(kept.find("cycle (start)"), std::string::npos) << kept;
    EXPECT_NE(kept.find("reload refused"), std::string::npos) << kept;
}

// Issue 13, item 12: the NS retry back-off slept in the agent's thread, so a stop waited for it
// (and ended with the forced exit after 4 s). Now the stop cuts it short and ends cleanly.
TEST_F(AgentRun, StopDuringAnNsRetryBackoffIsPromptAndClean) {
    configure_long_ns_backoff();
    auto agent = start();
    ASSERT_NO_FATAL_FAILURE(wait_for_ns_backoff(agent));
    const auto before = std::chrono::steady_clock::now();
    agent.signal(SIGTERM);
    const auto code = agent.wait(5s);
    ASSERT_TRUE(code.has_value()) << "still running 5 s after SIGTERM";
    EXPECT_EQ(*code, 0);
    EXPECT_LT(std::chrono::steady_clock::now() - before, 3s);
    const std::string log = agent.stderr_text();
    EXPECT_NE(log.find("retries cut short by a stop or reload"), std::string::npos) << log;
    EXPECT_NE(log.find("psguard stopped"), std::string::npos) << log;
    EXPECT_EQ(log.find("still running"), std::string::npos) << log;
}

// ... and a reload cuts it short too: the new configuration asks the NS again at once.
TEST_F(AgentRun, AReloadDuringAnNsRetryBackoffAsksAgainAtOnce) {
    configure_long_ns_backoff();
    auto agent = start();
    ASSERT_NO_FATAL_FAILURE(wait_for_ns_backoff(agent));
    ns_->set_fault("none");
    write_config(config());
    agent.signal(SIGHUP);
    ASSERT_TRUE(wait_for_log(agent, "cycle (reload)", 1, 5s)) << agent.stderr_text();
    const std::string log = agent.stderr_text();
    EXPECT_NE(log.find("retries cut short by a stop or reload"), std::string::npos) << log;
    EXPECT_NE(log.substr(log.find("cycle (reload)")).find("NS ok"), std::string::npos) << log;
    agent.signal(SIGTERM);
    EXPECT_EQ(agent.wait(5s), 0);
}

// Issue 13, item 12: a refresh command still running at stop was orphaned. It is killed with
// everything it started (its process group), and the agent stops cleanly.
TEST_F(AgentRun, StopKillsARunningRefreshCommandAndWhatItStarted) {
    // Four packages here, one of them Invalid on the NS: healed by the first cycle, whose
    // refresh command then hangs (a shell waiting for a background sleep).
    nlohmann::json rows = nlohmann::json::array();
    for (int i = 0; i < 4; ++i) {
        const std::string guid = "{6C821F5E-0000-4000-8000-00000000000" + std::to_string(i) + "}";
        tree_.add({.guid = guid});
        rows.push_back({{"guid", guid},
                        {"name", "Package " + std::to_string(i)},
                        {"status", i == 0 ? "Invalid" : "Ready"},
                        {"ns_version", "1601867730"},
                        {"reported_version", "1601867730"}});
    }
    rows.push_back({{"guid", kPackage},
                    {"name", "Adobe Reader"},
                    {"status", "Ready"},
                    {"ns_version", "1601867730"},
                    {"reported_version", "1601867730"}});
    ns_->set_scenario({{"packages", rows}});
    const fs::path child_pid = dir_ / "child.pid";
    const fs::path grandchild_pid = dir_ / "grandchild.pid";
    auto cfg = config();
    cfg["credential_account"] = current_user_name();  // owns the tree: the ACL check passes
    cfg["heal"] = {{"enabled", true},
                   {"confirm_cycles", 1},
                   {"refresh_timeout_seconds", 600},
                   {"refresh_command",
                    {"/bin/sh", "-c",
                     "sleep 300 & echo $! > '" + grandchild_pid.string() + "'; echo $$ > '" +
                         child_pid.string() + "'; wait"}}};
    write_config(cfg);
    auto agent = start();
    ASSERT_TRUE(wait_for_file_text(grandchild_pid, "\n", 10s)) << agent.stderr_text();
    ASSERT_TRUE(wait_for_file_text(child_pid, "\n", 5s)) << agent.stderr_text();
    const pid_t child = std::stoi(read_file(child_pid));
    const pid_t grandchild = std::stoi(read_file(grandchild_pid));
    ASSERT_TRUE(process_alive(child));
    ASSERT_TRUE(process_alive(grandchild));

    agent.signal(SIGTERM);
    EXPECT_EQ(agent.wait(5s), 0);
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    while (std::chrono::steady_clock::now() < deadline &&
           (process_alive(child) || process_alive(grandchild))) {
        std::this_thread::sleep_for(50ms);
    }
    EXPECT_FALSE(process_alive(child)) << "the refresh command outlived the agent";
    EXPECT_FALSE(process_alive(grandchild)) << "what the refresh command started outlived it";
    EXPECT_NE(agent.stderr_text().find("psguard stopped"), std::string::npos)
        << agent.stderr_text();
    for (const pid_t pid : {child, grandchild}) {
        if (process_alive(pid)) {
            ::kill(pid, SIGKILL);  // not the test's to leave behind
        }
    }
}

}  // namespace
}  // namespace psguard::test
