// The status endpoint's routes without sockets: every route, its JSON shape and status codes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "endpoint/routes.hpp"
#include "unit/current_account.hpp"
#include "unit/endpoint_fake_agent.hpp"
#include "unit/endpoint_routes_fixture.hpp"

namespace psguard {
namespace {

// A name of its own: in a unity batch a `json` here would shadow other files' locals.
using RoutesJson = nlohmann::json;
using test::FakeAgent;

using test::kToken;
const RoutesJson kAclNotChecked = {
    {"ok", nullptr}, {"problems", RoutesJson::array()}, {"account", nullptr}, {"note", nullptr}};

class RoutesTest : public test::RoutesFixture {};

TEST_F(RoutesTest, HealthzFollowsTheAgent) {
    const auto ok = get("/healthz");
    EXPECT_EQ(ok.status, 200u);
    EXPECT_EQ(ok.content_type, "application/json");
    EXPECT_EQ(body(ok), (RoutesJson{{"status", "ok"}, {"last_cycle", "2026-11-26T06:01:00Z"}}));

    agent_.set_healthy(false);
    const auto stale = get("/healthz");
    EXPECT_EQ(stale.status, 503u);
    EXPECT_EQ(body(stale)["status"], "unhealthy");
}

TEST_F(RoutesTest, StatusHasEveryDocumentedMember) {
    const auto response = get("/v1/status");
    ASSERT_EQ(response.status, 200u);
    const RoutesJson status = body(response);
    EXPECT_EQ(status["version"], "0.1.0");
    EXPECT_EQ(status["uptime_seconds"], 3600);
    EXPECT_EQ(status["started"], "2026-11-26T06:00:00Z");
    EXPECT_EQ(status["interval_minutes"], 15);
    EXPECT_EQ(status["heal_enabled"], true);
    EXPECT_EQ(status["last_cycle"], (RoutesJson{{"time", "2026-11-26T06:01:00Z"},
                                                {"duration_seconds", 2.5},
                                                {"result", "findings"},
                                                {"trigger", "timer"},
                                                {"scan", "full"}}));
    EXPECT_EQ(status["cycles_total"], 3);
    EXPECT_EQ(status["cycle_running"], false);
    EXPECT_EQ(status["ns"], (RoutesJson{{"url", "https://ns.example.com"},
                                        {"reachable", true},
                                        {"usable", true},
                                        {"error", nullptr}}));
    EXPECT_EQ(
        status["acl"],
        (RoutesJson{{"ok", nullptr},
                    {"problems", RoutesJson::array()},
                    {"account", nullptr},
                    {"note", "no credential_account configured: the ACL check did not run"}}));
    EXPECT_EQ(status["summary"],
              (RoutesJson{{"healthy", 1}, {"stale_on_ns", 1}, {"unknown_to_ns", 1}}));
    EXPECT_EQ(status["heal"], (RoutesJson{{"budget_left_today", 50},
                                          {"breaker", nullptr},
                                          {"acl_repairs", RoutesJson::array()},
                                          {"refresh", nullptr},
                                          {"policy_refresh", nullptr}}));
    EXPECT_EQ(status["settings"],
              (RoutesJson{{"server", "PS01"}, {"ns_url", "https://ns.example.com"}}));
    // Issue 8's members: the cycle read no agent log here, so no evidence and no cause.
    EXPECT_EQ(status["evidence"], RoutesJson::array());
    EXPECT_EQ(status["diagnosis"]["cause"], "unknown");
    EXPECT_EQ(status["diagnosis"]["evidence"], RoutesJson::array());
    EXPECT_EQ(status.size(), 15u) << status.dump(2);
}

TEST_F(RoutesTest, StatusBeforeTheFirstCycle) {
    auto snapshot = std::make_shared<AgentSnapshot>();
    snapshot->version = "0.1.0";
    snapshot->started = started_;
    agent_.set_snapshot(snapshot);
    const RoutesJson status = body(get("/v1/status"));
    EXPECT_TRUE(status["last_cycle"].is_null());
    EXPECT_TRUE(status["ns"].is_null());
    EXPECT_EQ(status["acl"], kAclNotChecked);
    EXPECT_EQ(status["summary"], RoutesJson::object());
    EXPECT_EQ(status["heal"], (RoutesJson{{"budget_left_today", nullptr},
                                          {"breaker", nullptr},
                                          {"acl_repairs", RoutesJson::array()},
                                          {"refresh", nullptr},
                                          {"policy_refresh", nullptr}}));
}

#ifndef _WIN32
// POSIX: "nobody" resolves and lacks write on the folders the test created as another user.
TEST_F(RoutesTest, StatusShowsAclEvidenceAndDiagnosis) {
    set_report(
        [](AgentSnapshot& snapshot) {
            change_report(snapshot, [](CheckReport& report) {
                report.heal->breaker = "42 of 50 packages stale at once";
            });
        },
        test::CycleScene().with_evidence().with_account("nobody"));
    const RoutesJson status = body(get("/v1/status"));
    EXPECT_EQ(status["acl"]["ok"], false);
    EXPECT_EQ(status["acl"]["account"].get<std::string>().rfind("nobody", 0), 0u) << status["acl"];
    const RoutesJson problems = status["acl"]["problems"];
    ASSERT_GE(problems.size(), 2u) << problems;
    EXPECT_TRUE(problems[0].get<std::string>().ends_with("Package Delivery")) << problems;
    EXPECT_EQ(status["heal"]["breaker"], "42 of 50 packages stale at once");
    ASSERT_EQ(status["evidence"].size(), 3u) << status["evidence"];
    EXPECT_EQ(status["evidence"][0]["source"], "CreateDirectoryPath");
    EXPECT_EQ(status["diagnosis"]["cause"], "acl_missing");
    EXPECT_FALSE(status["diagnosis"]["evidence"].empty());

    set_scene(test::CycleScene().with_evidence().with_account(test::current_account()));
    EXPECT_EQ(body(get("/v1/status"))["acl"]["ok"], true);
}

TEST_F(RoutesTest, TheAclAccountReportDecides) {
    // The account does not resolve: nothing was checked per folder, and that is a failure.
    set_scene(test::CycleScene().with_account("psguard-no-such-account-7f3a"));
    const RoutesJson unresolved = body(get("/v1/status"))["acl"];
    EXPECT_EQ(unresolved["ok"], false);
    EXPECT_EQ(unresolved["problems"], RoutesJson::array());
    EXPECT_EQ(unresolved["account"], "psguard-no-such-account-7f3a");
    EXPECT_TRUE(unresolved["note"].is_string()) << unresolved;

    // Checked and fine: the display name is shown.
    set_scene(test::CycleScene().with_account(test::current_account()));
    const RoutesJson acl = body(get("/v1/status"))["acl"];
    EXPECT_EQ(acl["ok"], true);
    EXPECT_NE(acl["account"].get<std::string>().find(test::current_account() + " (uid "),
              std::string::npos)
        << acl;
}
#endif

TEST_F(RoutesTest, CycleResultNames) {
    EXPECT_EQ(cycle_result_name(0), "healthy");
    EXPECT_EQ(cycle_result_name(1), "findings");
    EXPECT_EQ(cycle_result_name(3), "ns_unusable");
    EXPECT_EQ(cycle_result_name(7), "exit_7");
}

TEST_F(RoutesTest, PackagesListAsInTheReport) {
    const auto response = get("/v1/packages");
    ASSERT_EQ(response.status, 200u);
    const RoutesJson packages = body(response);
    EXPECT_EQ(packages["as_of"], "2026-11-26T06:01:00Z");
    ASSERT_EQ(packages["packages"].size(), 3u);
    EXPECT_EQ(packages["packages"], to_json(*agent_.snapshot()->report)["packages"]);
    const RoutesJson& first = packages["packages"][0];
    for (const char* key : {"id", "name", "verdict", "reason", "local", "ns", "heal"}) {
        EXPECT_TRUE(first.contains(key)) << key;
    }
}

TEST_F(RoutesTest, OnePackageByGuidInAnySpelling) {
    for (const std::string spelling :
         {"{6D417916-0000-4000-8000-000000000002}", "6d417916-0000-4000-8000-000000000002",
          "%7B6d417916-0000-4000-8000-000000000002%7D",
          "%7b6D417916-0000-4000-8000-000000000002%7d"}) {
        const auto response = get("/v1/packages/" + spelling);
        ASSERT_EQ(response.status, 200u) << spelling;
        EXPECT_EQ(body(response)["id"], test::kStaleId);
        EXPECT_EQ(body(response)["verdict"], "stale_on_ns");
    }
    EXPECT_EQ(get("/v1/packages/{00000000-0000-4000-8000-000000000009}").status, 404u);
    EXPECT_EQ(get("/v1/packages/not-a-guid").status, 404u);
    EXPECT_EQ(get("/v1/packages/").status, 404u);
    EXPECT_EQ(get("/v1/packages/%7").status, 400u);
    EXPECT_EQ(get("/v1/packages/%zz").status, 400u);
}

TEST_F(RoutesTest, Journal) {
    const auto response = get("/v1/journal");
    ASSERT_EQ(response.status, 200u);
    const RoutesJson journal = body(response);
    ASSERT_EQ(journal["actions"].size(), 1u);
    EXPECT_EQ(journal["actions"][0]["result"], "verified");
}

TEST_F(RoutesTest, MetricsAreTextExposition) {
    const auto response = get("/metrics");
    ASSERT_EQ(response.status, 200u);
    EXPECT_EQ(response.content_type, "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_NE(response.body.find("\npsguard_cycles_total 3\n"), std::string::npos);
}

TEST_F(RoutesTest, CheckNeedsTheBearerToken) {
    const auto missing = post("/v1/check");
    EXPECT_EQ(missing.status, 401u);
    EXPECT_EQ(header(missing, "WWW-Authenticate"), R"(Bearer realm="psguard")");
    EXPECT_TRUE(body(missing).contains("error"));

    const auto wrong = post("/v1/check", "Bearer 0123456789abcdef0123456789abcdeX");
    EXPECT_EQ(wrong.status, 401u);
    EXPECT_EQ(header(wrong, "WWW-Authenticate"),
              R"(Bearer realm="psguard", error="invalid_token")");
    EXPECT_EQ(post("/v1/check", "Bearer 0123").status, 401u);
    EXPECT_EQ(post("/v1/check", std::string("Basic ") + kToken).status, 401u);
    EXPECT_EQ(post("/v1/check", std::string("Bearer")).status, 401u);
    EXPECT_EQ(post("/v1/check", std::string("Bearer ") + kToken + "0").status, 401u);
    EXPECT_EQ(agent_.cycle_requests(), 0);

    const auto accepted = post("/v1/check", std::string("Bearer ") + kToken);
    EXPECT_EQ(accepted.status, 202u);
    EXPECT_EQ(body(accepted), (RoutesJson{{"accepted", true}}));
    EXPECT_EQ(post("/v1/check", std::string("bearer  ") + kToken + " ").status, 202u);
    EXPECT_EQ(agent_.cycle_requests(), 2);
}

TEST_F(RoutesTest, CheckWhileACycleRunsIsAConflict) {
    agent_.set_busy(true);
    const auto response = post("/v1/check", std::string("Bearer ") + kToken);
    EXPECT_EQ(response.status, 409u);
    EXPECT_TRUE(body(response).contains("error"));
}

TEST_F(RoutesTest, CheckIsDisabledWithoutATokenFile) {
    options_.token.reset();
    EXPECT_EQ(post("/v1/check", std::string("Bearer ") + kToken).status, 403u);
    EXPECT_EQ(agent_.cycle_requests(), 0);
}

TEST_F(RoutesTest, BeyondLoopbackReadsNeedTheTokenToo) {
    options_.token_for_reads = true;
    for (const char* target : {"/v1/status", "/v1/packages", "/v1/journal", "/metrics",
                               "/v1/packages/6d417916-0000-4000-8000-000000000002"}) {
        EXPECT_EQ(get(target).status, 401u) << target;
        EXPECT_EQ(get(target, std::string("Bearer ") + kToken).status, 200u) << target;
    }
    EXPECT_EQ(get("/healthz").status, 200u);  // load balancers and service monitors
}

TEST_F(RoutesTest, UnknownRoutesWrongMethodsAndBadTargets) {
    EXPECT_EQ(get("/nope").status, 404u);
    EXPECT_EQ(get("/ui/").status, 404u);
    EXPECT_EQ(get("/v1/status/").status, 404u);
    EXPECT_EQ(get("/v2/status").status, 404u);
    EXPECT_EQ(post("/nope").status, 404u);
    EXPECT_EQ(get("http://localhost/v1/status").status, 400u);
    EXPECT_EQ(get("*").status, 400u);
    EXPECT_EQ(get("").status, 400u);

    const auto wrong = post("/v1/status");
    EXPECT_EQ(wrong.status, 405u);
    EXPECT_EQ(header(wrong, "Allow"), "GET, HEAD");
    const auto get_check = get("/v1/check");
    EXPECT_EQ(get_check.status, 405u);
    EXPECT_EQ(header(get_check, "Allow"), "POST");
    EXPECT_EQ(handle({"DELETE", "/v1/journal", {}}, agent_, options_, now_).status, 405u);
    EXPECT_EQ(handle({"HEAD", "/v1/check", {}}, agent_, options_, now_).status, 405u);
    EXPECT_EQ(handle({"get", "/healthz", {}}, agent_, options_, now_).status, 405u);
}

TEST_F(RoutesTest, HeadIsAnsweredAsGet) {
    const auto head = handle({"HEAD", "/v1/status", {}}, agent_, options_, now_);
    EXPECT_EQ(head.status, 200u);
    EXPECT_EQ(head.body, get("/v1/status").body);
}

TEST_F(RoutesTest, QueryStringsAreIgnored) {
    EXPECT_EQ(get("/v1/status?pretty=1").status, 200u);
    EXPECT_EQ(get("/healthz?").status, 200u);
}

TEST_F(RoutesTest, NoSnapshotYet) {
    agent_.set_snapshot(nullptr);
    const auto status = get("/v1/status");
    EXPECT_EQ(status.status, 503u);
    EXPECT_EQ(header(status, "Retry-After"), "5");
    EXPECT_EQ(get("/v1/packages").status, 503u);
    EXPECT_EQ(get("/healthz").status, 200u);
    const auto metrics = get("/metrics");
    EXPECT_EQ(metrics.status, 200u);
    EXPECT_NE(metrics.body.find("psguard_endpoint_connections "), std::string::npos);
    EXPECT_EQ(metrics.body.find("psguard_cycles_total"), std::string::npos);
}

TEST_F(RoutesTest, AnExceptionBecomesA500) {
    agent_.set_throw_on_snapshot(true);
    const auto response = get("/v1/status");
    EXPECT_EQ(response.status, 500u);
    EXPECT_NE(body(response)["error"].get<std::string>().find("snapshot exploded"),
              std::string::npos);
}

TEST_F(RoutesTest, InvalidUtf8InTheReportIsReplacedNotThrown) {
    set_report([](AgentSnapshot& snapshot) {
        change_report(snapshot, [](CheckReport& report) {
            report.packages[0].reason = std::string("bad \xff\xfe byte");
        });
    });
    const auto response = get("/v1/packages");
    ASSERT_EQ(response.status, 200u);
    EXPECT_NE(body(response)["packages"][0]["reason"].get<std::string>().find("\xEF\xBF\xBD"),
              std::string::npos);
}

TEST_F(RoutesTest, TheJournalRouteShowsEachActionAsTheJournalCommandDoes) {
    const RoutesJson journal = body(get("/v1/journal"));
    ASSERT_EQ(journal["actions"].size(), 1u);
    const auto snapshot = agent_.snapshot();
    EXPECT_EQ(journal["actions"][0], to_json(snapshot->journal.at(0)));
    EXPECT_EQ(journal["actions"][0]["kind"], "files");
    EXPECT_EQ(journal["actions"][0]["files"], RoutesJson::array());
}

TEST_F(RoutesTest, ErrorResponsesAreJson) {
    const auto response = error_response(431, "too large");
    EXPECT_EQ(response.status, 431u);
    EXPECT_EQ(response.content_type, "application/json");
    EXPECT_EQ(body(response), (RoutesJson{{"error", "too large"}}));
}

}  // namespace
}  // namespace psguard
