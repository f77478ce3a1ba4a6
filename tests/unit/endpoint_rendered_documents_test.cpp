// The endpoint's documents rendered once per snapshot: the cached bytes are exactly the views'
// (status_views.hpp) whatever the uptime and the endpoint's counters, a route renders a document
// once per published snapshot, and pending_render names what a request would render first (which
// the server renders off its strand: endpoint_render_off_strand_test.cpp).
#include <gtest/gtest.h>

#include <stdexcept>

#include "endpoint/metrics_text.hpp"
#include "endpoint/rendered_documents.hpp"
#include "unit/endpoint_routes_fixture.hpp"

namespace psguard {
namespace {

TEST(RenderCache, RendersOnceRetriesAfterAThrowAndACopyStartsEmpty) {
    RenderCache cache;
    int renders = 0;
    const auto render = [&renders] {
        ++renders;
        return std::string("bytes ") + std::to_string(renders);
    };
    EXPECT_FALSE(cache.rendered(RenderCache::status));
    EXPECT_EQ(cache.get(RenderCache::status, render), "bytes 1");
    EXPECT_TRUE(cache.rendered(RenderCache::status));
    EXPECT_EQ(cache.get(RenderCache::status, render), "bytes 1");
    EXPECT_EQ(renders, 1);
    EXPECT_EQ(cache.get(RenderCache::packages, render), "bytes 2");

    EXPECT_THROW(
        cache.get(RenderCache::metrics, []() -> std::string { throw std::runtime_error("x"); }),
        std::runtime_error);
    EXPECT_FALSE(cache.rendered(RenderCache::metrics));
    EXPECT_EQ(cache.get(RenderCache::metrics, render), "bytes 3");

    const RenderCache copy(cache);  // another snapshot's
    EXPECT_FALSE(copy.rendered(RenderCache::status));
    EXPECT_EQ(copy.get(RenderCache::status, render), "bytes 4");
}

class RenderedDocumentsTest : public test::RoutesFixture {};

TEST_F(RenderedDocumentsTest, StatusBytesAreTheViewsAtEveryUptime) {
    set_report([](AgentSnapshot& snapshot) {
        // A value that spells the spliced member must not fool the splice.
        snapshot.settings["server"] = "PS01 \"uptime_seconds\":0,\"x\"";
        snapshot.version = "0.1.0\"uptime_seconds\":0,";
    });
    const auto snapshot = agent_.snapshot();
    for (const auto after :
         {std::chrono::seconds(-5), std::chrono::seconds(0), std::chrono::seconds(1),
          std::chrono::seconds(3600), std::chrono::seconds(86400LL * 400)}) {
        const TimePoint now = snapshot->started + after;
        EXPECT_EQ(status_body(*snapshot, now), json_body(status_json(*snapshot, now)))
            << after.count();
    }
}

// /v1/packages is written one package at a time (no tree of the whole document): the same bytes
// as the view's document, with no package, with no cycle yet, and with text that must be escaped
// or replaced.
TEST_F(RenderedDocumentsTest, PackagesWrittenOneByOneAreTheViewsBytes) {
    set_report([](AgentSnapshot& published) {
        change_report(published, [](CheckReport& report) {
            ASSERT_FALSE(report.packages.empty());
            report.packages.front().name = "a \"quoted\" name\\ with \xff\xfe bad bytes\n";
            report.packages.front().reason = "</script>\u00e9";
        });
    });
    auto snapshot = agent_.snapshot();
    ASSERT_GT(snapshot->report->packages.size(), 1u);
    EXPECT_EQ(packages_body(*snapshot), json_body(packages_json(*snapshot)));

    set_report([](AgentSnapshot& published) {
        change_report(published, [](CheckReport& report) { report.packages.resize(1); });
        published.last_cycle.reset();
    });
    snapshot = agent_.snapshot();
    EXPECT_EQ(packages_body(*snapshot), json_body(packages_json(*snapshot)));

    set_report([](AgentSnapshot& published) {
        change_report(published, [](CheckReport& report) { report.packages.clear(); });
    });
    snapshot = agent_.snapshot();
    EXPECT_EQ(packages_body(*snapshot), json_body(packages_json(*snapshot)));

    set_report([](AgentSnapshot& published) { published.report.reset(); });
    snapshot = agent_.snapshot();
    EXPECT_EQ(packages_body(*snapshot), json_body(packages_json(*snapshot)));
    EXPECT_EQ(packages_body(*snapshot).substr(0, 10), "{\"as_of\":\"");
}

TEST_F(RenderedDocumentsTest, PackagesJournalAndMetricsBytesAreTheViews) {
    const auto snapshot = agent_.snapshot();
    EXPECT_EQ(packages_body(*snapshot), json_body(packages_json(*snapshot)));
    EXPECT_EQ(journal_body(*snapshot), json_body(journal_json(*snapshot)));
    for (std::uint64_t requests : {0u, 1u, 12345u}) {
        EndpointStats stats;
        stats.requests_total = requests;
        stats.open_connections = 2;
        EXPECT_EQ(metrics_body(snapshot.get(), stats),
                  render_metrics(status_metrics(snapshot.get(), stats)));
    }
    EXPECT_EQ(metrics_body(nullptr, {}), render_metrics(status_metrics(nullptr, {})));
}

TEST_F(RenderedDocumentsTest, TheRoutesRenderOncePerPublishedSnapshot) {
    const auto first = get("/v1/packages").body;
    const auto snapshot = agent_.snapshot();
    // The route left its bytes in the snapshot's cache: this render is never called.
    const auto never = []() -> std::string { throw std::logic_error("rendered again"); };
    EXPECT_EQ(snapshot->rendered.get(RenderCache::packages, never), first);
    EXPECT_EQ(get("/v1/packages").body, first);
    get("/v1/status");
    get("/metrics");
    EXPECT_NO_THROW(snapshot->rendered.get(RenderCache::status, never));
    EXPECT_NO_THROW(snapshot->rendered.get(RenderCache::metrics, never));

    // The next published snapshot (a copy, changed) has its own documents.
    auto next = std::make_shared<AgentSnapshot>(*snapshot);
    ++next->cycles_total;
    agent_.set_snapshot(next);
    EXPECT_EQ(body(get("/v1/status"))["cycles_total"], 4);
    EXPECT_NE(get("/metrics").body.find("\npsguard_cycles_total 4\n"), std::string::npos);
}

TEST_F(RenderedDocumentsTest, RenderDocumentFillsTheCacheTheRoutesServeFrom) {
    const auto snapshot = agent_.snapshot();
    const auto never = []() -> std::string { throw std::logic_error("rendered again"); };
    for (const auto document :
         {RenderCache::status, RenderCache::packages, RenderCache::metrics, RenderCache::journal}) {
        render_document(*snapshot, document);
        EXPECT_TRUE(snapshot->rendered.rendered(document)) << document;
        EXPECT_NO_THROW(snapshot->rendered.get(document, never)) << document;
    }
    EXPECT_EQ(get("/v1/packages").body, json_body(packages_json(*snapshot)));
    EXPECT_EQ(get("/v1/status").body, json_body(status_json(*snapshot, now_)));
}

TEST_F(RenderedDocumentsTest, PendingRenderNamesTheDocumentAnAllowedReadWouldRender) {
    const auto pending = [this](const std::string& method, const std::string& target,
                                std::optional<std::string> authorization = {}) {
        return pending_render({method, target, std::move(authorization)}, agent_, options_);
    };
    const auto snapshot = agent_.snapshot();
    const auto first = pending("GET", "/v1/packages?x=1");
    ASSERT_TRUE(first);
    EXPECT_EQ(first->snapshot, snapshot);
    EXPECT_EQ(first->document, RenderCache::packages);
    EXPECT_EQ(pending("HEAD", "/metrics")->document, RenderCache::metrics);
    EXPECT_EQ(pending("GET", "/v1/status")->document, RenderCache::status);
    EXPECT_EQ(pending("GET", "/v1/journal")->document, RenderCache::journal);
    // Rendered per request, not from the snapshot, or refused: nothing to render first.
    for (const char* target : {"/", "/healthz", "/v1/packages/x", "/v1/check", "/nowhere", ""}) {
        EXPECT_FALSE(pending("GET", target)) << target;
    }
    EXPECT_FALSE(pending("POST", "/v1/packages"));

    get("/v1/packages");  // cached now
    EXPECT_FALSE(pending("GET", "/v1/packages"));

    options_.token_for_reads = true;
    EXPECT_FALSE(pending("GET", "/v1/journal"));
    EXPECT_TRUE(pending("GET", "/v1/journal", std::string("Bearer ") + test::kToken));

    agent_.set_throw_on_snapshot(true);  // handle() answers that with a 500
    EXPECT_FALSE(pending("GET", "/v1/journal", std::string("Bearer ") + test::kToken));
    agent_.set_throw_on_snapshot(false);
    agent_.set_snapshot(nullptr);  // handle() answers 503
    EXPECT_FALSE(pending("GET", "/v1/journal", std::string("Bearer ") + test::kToken));
}

}  // namespace
}  // namespace psguard
