#include "ns_reporter.hpp"

#include <openssl/ssl.h>

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <exception>

#include <nlohmann/json.hpp>

namespace psguard::simulator {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

constexpr std::string_view kReportTarget = "/_emulator/package-status";

struct Exchange {
    beast::error_code error;
    std::string stage;
    unsigned status = 0;
    std::string body;
};

net::awaitable<void> post(const NsUrl& url, ssl::context& tls, std::chrono::milliseconds timeout,
                          std::string body, Exchange& out) {
    const auto executor = co_await net::this_coro::executor;
    beast::error_code& ec = out.error;

    tcp::resolver resolver(executor);
    const auto endpoints = co_await resolver.async_resolve(
        url.host, std::to_string(url.port), net::redirect_error(net::use_awaitable, ec));
    if (ec) {
        out.stage = "resolve";
        co_return;
    }
    beast::ssl_stream<beast::tcp_stream> stream(executor, tls);
    beast::get_lowest_layer(stream).expires_after(timeout);
    co_await beast::get_lowest_layer(stream).async_connect(
        endpoints, net::redirect_error(net::use_awaitable, ec));
    if (ec) {
        out.stage = "connect";
        co_return;
    }
    // SNI (without the header's macro: its C cast trips -Wold-style-cast) and the name checked.
    SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(url.host.c_str()));
    stream.set_verify_mode(ssl::verify_peer);
    stream.set_verify_callback(ssl::host_name_verification(url.host));
    co_await stream.async_handshake(ssl::stream_base::client,
                                    net::redirect_error(net::use_awaitable, ec));
    if (ec) {
        out.stage = "TLS handshake";
        co_return;
    }

    http::request<http::string_body> request{http::verb::post, std::string(kReportTarget), 11};
    const bool default_port = url.port == 443;
    const bool ipv6 = url.host.find(':') != std::string::npos;
    std::string host_header = ipv6 ? "[" + url.host + "]" : url.host;
    if (!default_port) {
        host_header += ":" + std::to_string(url.port);
    }
    request.set(http::field::host, host_header);
    request.set(http::field::user_agent, "AeXNSAgent (psguard-ps-simulator)");
    request.set(http::field::content_type, "application/json");
    request.keep_alive(false);
    request.body() = std::move(body);
    request.prepare_payload();
    co_await http::async_write(stream, request, net::redirect_error(net::use_awaitable, ec));
    if (ec) {
        out.stage = "write";
        co_return;
    }
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(1024 * 1024);
    co_await http::async_read(stream, buffer, parser, net::redirect_error(net::use_awaitable, ec));
    if (ec) {
        out.stage = "read";
        co_return;
    }
    out.status = parser.get().result_int();
    out.body = std::move(parser.get().body());
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
    beast::error_code ignored;
    co_await stream.async_shutdown(net::redirect_error(net::use_awaitable, ignored));
}

}  // namespace

struct NsReporter::Tls {
    ssl::context context{ssl::context::tls_client};
};

NsUrl parse_ns_url(std::string_view url) {
    constexpr std::string_view kScheme = "https://";
    const std::string original(url);
    if (url.size() < kScheme.size() ||
        !std::equal(kScheme.begin(), kScheme.end(), url.begin(), [](char a, char b) {
            return a == std::tolower(static_cast<unsigned char>(b));
        })) {
        throw NsUsageError("--ns-url " + original + ": only https://host[:port] is supported");
    }
    url.remove_prefix(kScheme.size());
    if (const auto slash = url.find('/'); slash != std::string_view::npos) {
        if (url.substr(slash) != "/") {
            throw NsUsageError("--ns-url " + original +
                               ": give the NS root only (https://host[:port]), no path");
        }
        url = url.substr(0, slash);
    }
    if (url.find('@') != std::string_view::npos || url.find('?') != std::string_view::npos ||
        url.find('#') != std::string_view::npos) {
        throw NsUsageError("--ns-url " + original + ": no user info, query or fragment");
    }
    NsUrl result;
    bool has_port = false;
    std::string_view port_text;
    if (!url.empty() && url.front() == '[') {
        const auto close = url.find(']');
        if (close == std::string_view::npos) {
            throw NsUsageError("--ns-url " + original + ": unclosed [IPv6 address]");
        }
        result.host = std::string(url.substr(1, close - 1));
        const std::string_view rest = url.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') {
                throw NsUsageError("--ns-url " + original + ": unexpected text after ]");
            }
            has_port = true;
            port_text = rest.substr(1);
        }
    } else {
        const auto colon = url.find(':');
        result.host = std::string(url.substr(0, colon));
        if (colon != std::string_view::npos) {
            has_port = true;
            port_text = url.substr(colon + 1);
        }
    }
    if (result.host.empty()) {
        throw NsUsageError("--ns-url " + original + ": no host");
    }
    if (has_port) {
        unsigned port = 0;
        const auto [end, error] =
            std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (port_text.empty() || error != std::errc() ||
            end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
            throw NsUsageError("--ns-url " + original + ": bad port");
        }
        result.port = static_cast<std::uint16_t>(port);
    }
    return result;
}

NsReporter::NsReporter(NsUrl url, const std::filesystem::path& ca_file,
                       std::chrono::milliseconds timeout)
    : url_(std::move(url)), timeout_(timeout), tls_(std::make_unique<Tls>()) {
    tls_->context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                              ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                              ssl::context::no_tlsv1_1);
    beast::error_code ec;
    tls_->context.load_verify_file(ca_file.string(), ec);
    if (ec) {
        throw NsUsageError("--ca-file " + ca_file.string() + ": cannot load: " + ec.message());
    }
}

NsReporter::~NsReporter() = default;

ReportOutcome NsReporter::report(const std::string& server, const std::string& guid,
                                 const std::string& status, const std::string& version) {
    const nlohmann::json body = {
        {"server", server}, {"guid", guid}, {"status", status}, {"reported_version", version}};
    Exchange exchange;
    net::io_context io;
    std::exception_ptr failure;
    net::co_spawn(io, post(url_, tls_->context, timeout_, body.dump(), exchange),
                  [&failure](std::exception_ptr error) { failure = error; });
    io.run();
    if (failure) {
        std::rethrow_exception(failure);
    }
    ReportOutcome outcome;
    if (exchange.error) {
        outcome.error = "NS unreachable (" + exchange.stage + "): " + exchange.error.message();
        return outcome;
    }
    outcome.delivered = true;
    outcome.status = exchange.status;
    if (exchange.status != 200) {
        std::string detail = exchange.body;
        try {
            const auto answer = nlohmann::json::parse(exchange.body);
            if (answer.is_object() && answer.contains("error") && answer["error"].is_string()) {
                detail = answer["error"].get<std::string>();
            }
        } catch (const nlohmann::json::exception&) {
        }
        if (detail.size() > 200) {
            detail.resize(200);
        }
        outcome.error = "the NS refused the status report: HTTP " +
                        std::to_string(exchange.status) + (detail.empty() ? "" : ": " + detail);
    }
    return outcome;
}

}  // namespace psguard::simulator
