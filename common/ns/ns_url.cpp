#include "ns/ns_url.hpp"

#include <cctype>
#include <charconv>

namespace psguard {
namespace {

bool valid_host_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) || c == '-' || c == '.' || c == '_';
}

}  // namespace

Result<HttpEndpoint> parse_ns_url(std::string_view url) {
    HttpEndpoint endpoint;
    std::string_view rest;
    if (url.starts_with("https://")) {
        rest = url.substr(8);
        endpoint.https = true;
        endpoint.port = 443;
    } else if (url.starts_with("http://")) {
        rest = url.substr(7);
        endpoint.https = false;
        endpoint.port = 80;
    } else {
        return fail("expected a URL starting with https:// (or http://), got \"" +
                    std::string(url) + "\"");
    }
    // "user:password@host": refused without a word of it, since the part before '@' may be a
    // password (and every message below quotes the URL).
    if (rest.substr(0, rest.find_first_of("/?#")).find('@') != std::string_view::npos) {
        return fail(
            "holds user information (\"user:password@\"), which psguard neither uses nor "
            "repeats; put the account in ns.auth.username and the password in "
            "ns.auth.password_file, and keep only scheme, host and port in the URL");
    }
    if (rest.ends_with('/')) {
        rest.remove_suffix(1);
    }
    if (rest.find_first_of("/?#@") != std::string_view::npos) {
        return fail(
            "expected only scheme, host and port (psguard adds /Altiris/ASDK.NS/...), got \"" +
            std::string(url) + "\"");
    }
    std::string_view host = rest;
    if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
        host = rest.substr(0, colon);
        const auto port_text = rest.substr(colon + 1);
        unsigned port = 0;
        const auto [end, ec] =
            std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
            port > 65535) {
            return fail("invalid port \"" + std::string(port_text) + "\" in \"" + std::string(url) +
                        "\"");
        }
        endpoint.port = static_cast<std::uint16_t>(port);
    }
    if (host.empty()) {
        return fail("no host name in \"" + std::string(url) + "\"");
    }
    for (char c : host) {
        if (!valid_host_char(c)) {
            return fail("invalid host name \"" + std::string(host) + "\" in \"" + std::string(url) +
                        "\"");
        }
    }
    endpoint.host = std::string(host);
    return endpoint;
}

std::string form_encode(std::string_view value) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(value.size() * 3);
    for (char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(kHex[u >> 4]);
            out.push_back(kHex[u & 0x0F]);
        }
    }
    return out;
}

}  // namespace psguard
