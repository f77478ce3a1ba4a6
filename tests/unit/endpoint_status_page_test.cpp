// GET / and /ui: the HTML page for people, through the real routes (no sockets): what it shows,
// that every report text is escaped, that it loads nothing and runs no script, and how a browser
// passes the token beyond loopback.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "endpoint/base64.hpp"
#include "endpoint/routes.hpp"
#include "endpoint/status_page.hpp"
#include "platform/sha256.hpp"
#include "unit/endpoint_routes_fixture.hpp"

namespace psguard {
namespace {

using test::kToken;

class StatusPageTest : public test::RoutesFixture {
  protected:
    std::string page() {
        const auto response = get("/");
        EXPECT_EQ(response.status, 200u) << response.body;
        return response.body;
    }
};

std::string hex_bytes(const std::string& hex) {
    std::string bytes;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    }
    return bytes;
}

TEST_F(StatusPageTest, IsHtmlWithAStrictPolicyThatAllowsItsOwnStyleOnly) {
    for (const char* target : {"/", "/ui", "/ui?x=1"}) {
        const auto response = get(target);
        ASSERT_EQ(response.status, 200u) << target;
        EXPECT_EQ(response.content_type, "text/html; charset=utf-8");
        EXPECT_EQ(header(response, "Content-Security-Policy"), status_page_csp());
        EXPECT_EQ(header(response, "X-Frame-Options"), "DENY");
    }
    const std::string csp = status_page_csp();
    EXPECT_EQ(csp.find("default-src 'none'"), 0u) << csp;
    EXPECT_EQ(csp.find("unsafe"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("script-src"), std::string::npos) << "scripts fall back to 'none'";

    // The hash in the policy is that of the page's one <style> element, as the browser hashes it.
    const std::string body = page();
    const auto open = body.find("<style>");
    const auto close = body.find("</style>");
    ASSERT_NE(open, std::string::npos);
    ASSERT_EQ(body.find("<style>", open + 1), std::string::npos);
    const std::string style = body.substr(open + 7, close - open - 7);
    const std::string hash = base64_encode(hex_bytes(sha256_hex(style)));
    EXPECT_NE(csp.find("style-src 'sha256-" + hash + "'"), std::string::npos) << csp;

    // Nothing to load and nothing to run.
    for (const char* forbidden : {"<script", "src=", "href=", "<link", "<img", "<iframe",
                                  "on"
                                  "load="}) {
        EXPECT_EQ(body.find(forbidden), std::string::npos) << forbidden;
    }
    EXPECT_NE(body.find("<meta http-equiv=\"refresh\" content=\"30\">"), std::string::npos);
    EXPECT_EQ(handle({"HEAD", "/ui", {}}, agent_, options_, now_).body, get("/ui").body);
}

#ifndef _WIN32
// POSIX: "nobody" resolves and lacks write on the folders the test created as another user.
TEST_F(StatusPageTest, ShowsStateDiagnosisPackagesStaleFirstAndTheRestoreCommand) {
    set_scene(test::CycleScene().with_evidence().with_account("nobody"));
    const std::string body = page();
    for (const char* expected :
         {"<h1>psguard on PS01</h1>",
          "https://ns.example.com</code>: <span class=\"good\">answered",
          "MISSING RIGHTS</span> for nobody (uid ", "Package Delivery</code>, <code>",
          "<span class=\"bad\">acl_missing</span>: ",
          " CreateDirectoryPath: Cannot create directory: 0x80070005 [Access is denied] ",
          "PackageStatus/{6d417916-0000-4000-8000-000000000002}</code> <span "
          "class=\"where\">",
          "<span class=\"bad\">stale_on_ns</span>, 1 package: Ready here, Invalid on the NS",
          "<code>{6d417916-0000-4000-8000-000000000002}</code></td><td>Java</td><td>Ready "
          "7</td><td>Invalid 7</td><td>blocked: ",
          "<code class=\"copy\">psguard restore 20261126T063000Z-6d417916-1</code>",
          "budget left today 50, breaker closed"}) {
        EXPECT_NE(body.find(expected), std::string::npos) << expected << "\n" << body;
    }
    const auto stale = body.find(">stale_on_ns<");
    const auto unknown = body.find(">unknown_to_ns<");
    const auto healthy = body.find("<details><summary><span class=\"good\">healthy</span>");
    ASSERT_NE(healthy, std::string::npos) << body;
    EXPECT_LT(stale, unknown);
    EXPECT_LT(unknown, healthy);
}
#endif

TEST_F(StatusPageTest, EscapesEveryTextFromTheReport) {
    set_report([](AgentSnapshot& snapshot) {
        change_report(snapshot, [](CheckReport& report) {
            auto& package = report.packages[1];
            package.name = "<script>alert(1)</script>";
            package.reason = "a \"quoted\" & 'odd' reason</summary><b>";
            report.ns.error = "<img src=x>";
            report.ns.usable = false;
        });
        snapshot.settings["server"] = "PS<01>";
        snapshot.journal.at(0).id = "x</code><script>";
        snapshot.journal.at(0).result = ActionResult::verified;
    });
    const std::string body = page();
    EXPECT_EQ(body.find("<script"), std::string::npos) << body;
    EXPECT_EQ(body.find("<img"), std::string::npos) << body;
    EXPECT_EQ(body.find("<b>"), std::string::npos) << body;
    EXPECT_NE(body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
    EXPECT_NE(body.find("a &quot;quoted&quot; &amp; &#39;odd&#39; reason&lt;/summary&gt;&lt;b&gt;"),
              std::string::npos);
    EXPECT_NE(body.find("<title>psguard on PS&lt;01&gt;: findings</title>"), std::string::npos);
    EXPECT_EQ(html_escape(std::string("a\x01"
                                      "b\x1b[31m",
                                      8)),
              "a\uFFFDb\uFFFD[31m");
}

TEST_F(StatusPageTest, ManyPackagesWithOneReasonAreCappedAndNamedOnce) {
    set_scene(test::CycleScene().with_ns_down().with_extra_packages(997));
    const std::string body = page();
    EXPECT_NE(body.find("no verdict</span>, 1000 packages: NS state unknown: "), std::string::npos)
        << body.substr(0, 4000);
    EXPECT_NE(body.find("and 800 more: <code>GET /v1/packages</code>"), std::string::npos);
    EXPECT_LT(body.size(), 100u * 1024u);
}

TEST_F(StatusPageTest, BeyondLoopbackABrowserSendsTheTokenAsABasicPassword) {
    options_.token_for_reads = true;
    const auto challenge = get("/");
    EXPECT_EQ(challenge.status, 401u);
    EXPECT_NE(header(challenge, "WWW-Authenticate").value_or("").find("Basic realm="),
              std::string::npos);
    EXPECT_EQ(get("/", "Basic " + base64_encode(std::string("admin:") + kToken)).status, 200u);
    EXPECT_EQ(get("/ui", "basic " + base64_encode(std::string(":") + kToken)).status, 200u);
    EXPECT_EQ(get("/", std::string("Bearer ") + kToken).status, 200u);
    EXPECT_EQ(get("/", "Basic " + base64_encode("admin:wrong")).status, 401u);
    EXPECT_EQ(get("/", "Basic " + base64_encode(kToken)).status, 401u) << "no colon";
    EXPECT_EQ(get("/", "Basic !!!!").status, 401u);
    // The JSON routes keep to the bearer token.
    EXPECT_EQ(get("/v1/status", "Basic " + base64_encode(std::string("a:") + kToken)).status, 401u);
}

TEST(Base64, RoundTripsAndRefusesMalformedText) {
    EXPECT_EQ(base64_encode("user:pass"), "dXNlcjpwYXNz");
    EXPECT_EQ(base64_decode("dXNlcjpwYXNz"), "user:pass");
    EXPECT_EQ(base64_decode("YQ=="), "a");
    EXPECT_EQ(base64_decode("YWI="), "ab");
    EXPECT_EQ(base64_decode(""), "");
    EXPECT_EQ(base64_decode("YQ="), std::nullopt);
    EXPECT_EQ(base64_decode("Y=Q="), std::nullopt);
    EXPECT_EQ(base64_decode("YQ$="), std::nullopt);
}

}  // namespace
}  // namespace psguard
