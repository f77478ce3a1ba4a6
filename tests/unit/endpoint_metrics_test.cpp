// Prometheus text exposition (0.0.4) and the metrics psguard exposes from a snapshot.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <regex>
#include <set>
#include <sstream>

#include "endpoint/metrics_text.hpp"
#include "endpoint/status_views.hpp"
#include "unit/current_account.hpp"
#include "unit/endpoint_fake_agent.hpp"

namespace psguard {
namespace {

std::vector<std::string> metric_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

bool has_line(const std::string& text, const std::string& line) {
    for (const auto& candidate : metric_lines(text)) {
        if (candidate == line) {
            return true;
        }
    }
    return false;
}

// Every line is a HELP, a TYPE or a sample of the family announced last; every family is
// announced once; counters end in _total.
void expect_valid_exposition(const std::string& text) {
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\n');
    const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+)");
    const std::regex type(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|untyped))");
    const std::regex sample(
        R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\["\\n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\["\\n])*")*\})? (NaN|[+-]Inf|-?[0-9.e+-]+))");
    std::set<std::string> announced;
    std::string current;
    std::string current_type;
    for (const auto& line : metric_lines(text)) {
        std::smatch match;
        if (std::regex_match(line, match, help)) {
            current = match[1];
            EXPECT_TRUE(announced.insert(current).second) << "announced twice: " << current;
        } else if (std::regex_match(line, match, type)) {
            EXPECT_EQ(match[1], current) << line;
            current_type = match[2];
            if (current_type == "counter") {
                EXPECT_TRUE(current.ends_with("_total")) << current;
            } else {
                EXPECT_FALSE(current.ends_with("_total")) << current;
            }
        } else {
            ASSERT_TRUE(std::regex_match(line, match, sample)) << "not a sample: " << line;
            EXPECT_EQ(match[1], current) << line;
        }
    }
}

TEST(MetricsText, EscapesLabelValuesAndHelp) {
    EXPECT_EQ(escape_label_value(R"(a"b\c)"
                                 "\n"
                                 "d"),
              R"(a\"b\\c\nd)");
    EXPECT_EQ(escape_label_value("DOMAIN\\svc ünïcode"), "DOMAIN\\\\svc ünïcode");
    EXPECT_EQ(escape_help("line\\one\nline \"two\""), "line\\\\one\\nline \"two\"");
}

TEST(MetricsText, FormatsValues) {
    EXPECT_EQ(format_metric_value(0), "0");
    EXPECT_EQ(format_metric_value(42), "42");
    EXPECT_EQ(format_metric_value(-3), "-3");
    EXPECT_EQ(format_metric_value(2.5), "2.5");
    EXPECT_EQ(format_metric_value(0.001), "0.001");
    EXPECT_EQ(format_metric_value(1795672800), "1795672800");
    EXPECT_EQ(format_metric_value(std::numeric_limits<double>::quiet_NaN()), "NaN");
    EXPECT_EQ(format_metric_value(std::numeric_limits<double>::infinity()), "+Inf");
    EXPECT_EQ(format_metric_value(-std::numeric_limits<double>::infinity()), "-Inf");
    EXPECT_EQ(std::stod(format_metric_value(1e20)), 1e20);
}

TEST(MetricsText, ValidatesNames) {
    EXPECT_TRUE(is_valid_metric_name("psguard_cycles_total"));
    EXPECT_TRUE(is_valid_metric_name("a:b_c"));
    EXPECT_FALSE(is_valid_metric_name(""));
    EXPECT_FALSE(is_valid_metric_name("1abc"));
    EXPECT_FALSE(is_valid_metric_name("psguard-cycles"));
    EXPECT_TRUE(is_valid_label_name("verdict"));
    EXPECT_FALSE(is_valid_label_name("__reserved"));
    EXPECT_FALSE(is_valid_label_name("a:b"));
    EXPECT_FALSE(is_valid_label_name(""));
}

TEST(MetricsText, RendersFamilies) {
    const std::vector<MetricFamily> families = {
        {"demo_things",
         "Things, by \"kind\".",
         MetricType::gauge,
         {{{{"kind", "a\"b"}}, 1}, {{{"kind", "c"}, {"zone", "x\\y"}}, 2.5}}},
        {"demo_empty", "Never shown.", MetricType::gauge, {}},
        {"demo_events_total", "Events.", MetricType::counter, {{{}, 7}}},
        {"bad-name", "Dropped.", MetricType::gauge, {{{}, 1}}},
        {"demo_bad_label",
         "A sample with a bad label name is dropped.",
         MetricType::gauge,
         {{{{"1bad", "x"}}, 1}, {{}, 2}}},
    };
    EXPECT_EQ(render_metrics(families),
              "# HELP demo_things Things, by \"kind\".\n"
              "# TYPE demo_things gauge\n"
              "demo_things{kind=\"a\\\"b\"} 1\n"
              "demo_things{kind=\"c\",zone=\"x\\\\y\"} 2.5\n"
              "# HELP demo_events_total Events.\n"
              "# TYPE demo_events_total counter\n"
              "demo_events_total 7\n"
              "# HELP demo_bad_label A sample with a bad label name is dropped.\n"
              "# TYPE demo_bad_label gauge\n"
              "demo_bad_label 2\n");
    EXPECT_EQ(render_metrics({}), "");
}

TEST(StatusMetrics, FromASnapshot) {
    const TimePoint started = *parse_utc("2026-11-26T06:00:00Z");
    auto snapshot = test::sample_snapshot(started);
    EndpointStats stats;
    stats.open_connections = 2;
    stats.connections_total = 10;
    stats.bad_requests_total = 1;
    const std::string text = render_metrics(status_metrics(snapshot.get(), stats));
    expect_valid_exposition(text);

    for (const std::string line : {
             "psguard_build_info{version=\"0.1.0\"} 1",
             "psguard_start_time_seconds 1795672800",
             "psguard_heal_enabled 1",
             "psguard_cycle_interval_seconds 900",
             "psguard_cycles_total 3",
             "psguard_cycle_triggers_total{trigger=\"start\"} 1",
             "psguard_cycle_triggers_total{trigger=\"timer\"} 2",
             "psguard_cycle_running 0",
             "psguard_cycle_duration_seconds 2.5",
             "psguard_last_cycle_timestamp_seconds 1795672860",
             "psguard_last_cycle_exit_code 1",
             "psguard_packages{verdict=\"healthy\"} 1",
             "psguard_packages{verdict=\"stale_on_ns\"} 1",
             "psguard_packages{verdict=\"pending_on_ns\"} 0",
             "psguard_packages{verdict=\"unreadable\"} 0",
             "psguard_packages{verdict=\"unknown_to_ns\"} 1",
             "psguard_packages{verdict=\"none\"} 0",
             "psguard_notification_server_up 1",
             "psguard_notification_server_reachable 1",
             "psguard_heal_budget_left 50",
             "psguard_heal_breaker_open 0",
             "psguard_heal_actions_total{result=\"done\"} 1",
             "psguard_heal_actions_total{result=\"failed\"} 0",
             "psguard_heal_actions_total{result=\"verified\"} 1",
             "psguard_notification_server_failures_total 1",
             "psguard_file_events_total 0",
             "psguard_full_rescans_total 0",
             "psguard_endpoint_connections 2",
             "psguard_endpoint_connections_total 10",
             "psguard_endpoint_bad_requests_total 1",
             "psguard_endpoint_tls_handshake_failures_total 0",
             "# TYPE psguard_cycles_total counter",
             "# TYPE psguard_packages gauge",
         }) {
        EXPECT_TRUE(has_line(text, line)) << "missing: " << line << "\n" << text;
    }
    // Not known when the cycle checked no ACL and found no evidence: absent, not zero.
    EXPECT_EQ(text.find("psguard_acl_ok"), std::string::npos);
    // Without TLS there is no certificate to expire.
    EXPECT_EQ(text.find("psguard_endpoint_certificate_expiry"), std::string::npos);
    EXPECT_EQ(text.find("psguard_evidence_total"), std::string::npos);
    EXPECT_EQ(text.find("psguard_event_queue_files"), std::string::npos);
}

#ifndef _WIN32
// POSIX: "nobody" resolves and lacks write on the folders the test created as another user.
TEST(StatusMetrics, AclEvidenceAndQueueWhenTheReportHasThem) {
    const TimePoint started = *parse_utc("2026-11-26T06:00:00Z");
    auto snapshot =
        test::sample_snapshot(started, test::CycleScene().with_evidence().with_account("nobody"));
    std::string text = render_metrics(status_metrics(snapshot.get(), {}));
    expect_valid_exposition(text);
    EXPECT_TRUE(has_line(text, "psguard_acl_ok 0"));
    ASSERT_TRUE(snapshot->report->evidence);
    ASSERT_EQ(snapshot->report->evidence->items.size(), 3u);
    const std::string kind = to_string(snapshot->report->evidence->items[0].kind);
    EXPECT_NE(text.find("psguard_evidence_total{kind=\"" + kind + "\"} "), std::string::npos)
        << text;
    EXPECT_TRUE(has_line(text, "psguard_event_queue_files{state=\"waiting\"} 12")) << text;
    EXPECT_TRUE(has_line(text, "psguard_event_queue_files{state=\"sent\"} 3"));
    EXPECT_TRUE(has_line(text, "psguard_event_queue_files{state=\"blocked\"} 1"));
    EXPECT_TRUE(has_line(text, "psguard_event_queue_files{state=\"disabled\"} 0"));

    snapshot =
        test::sample_snapshot(started, test::CycleScene().with_account(test::current_account()));
    EXPECT_TRUE(has_line(render_metrics(status_metrics(snapshot.get(), {})), "psguard_acl_ok 1"));

    // Configured but unresolvable is not ok; not configured is unknown (absent).
    snapshot = test::sample_snapshot(
        started, test::CycleScene().with_account("psguard-no-such-account-7f3a"));
    EXPECT_TRUE(has_line(render_metrics(status_metrics(snapshot.get(), {})), "psguard_acl_ok 0"));
    snapshot = test::sample_snapshot(started);
    EXPECT_EQ(render_metrics(status_metrics(snapshot.get(), {})).find("psguard_acl_ok"),
              std::string::npos);
}
#endif

TEST(StatusMetrics, NsDownAndBreakerOpen) {
    auto snapshot = test::sample_snapshot(*parse_utc("2026-11-26T06:00:00Z"),
                                          test::CycleScene().with_ns_down());
    CheckReport report = *snapshot->report;
    report.heal->breaker = "mass event";
    snapshot->report = std::make_shared<const CheckReport>(std::move(report));
    const std::string text = render_metrics(status_metrics(snapshot.get(), {}));
    EXPECT_TRUE(has_line(text, "psguard_notification_server_up 0"));
    EXPECT_TRUE(has_line(text, "psguard_notification_server_reachable 0"));
    EXPECT_TRUE(has_line(text, "psguard_packages{verdict=\"none\"} 3")) << text;
    EXPECT_TRUE(has_line(text, "psguard_heal_breaker_open 1"));
}

TEST(StatusMetrics, BeforeTheFirstCycle) {
    AgentSnapshot snapshot;
    snapshot.version = "0.1.0";
    const std::string text = render_metrics(status_metrics(&snapshot, {}));
    expect_valid_exposition(text);
    EXPECT_TRUE(has_line(text, "psguard_cycles_total 0"));
    EXPECT_EQ(text.find("psguard_cycle_duration_seconds"), std::string::npos);
    EXPECT_EQ(text.find("psguard_last_cycle_timestamp_seconds"), std::string::npos);
    EXPECT_EQ(text.find("psguard_packages"), std::string::npos);
    EXPECT_EQ(text.find("psguard_notification_server_up"), std::string::npos);
}

// A label value of free text (evidence kinds, triggers and results are enums now) is escaped.
TEST(StatusMetrics, LabelValuesFromTheSnapshotAreEscaped) {
    auto snapshot = test::sample_snapshot(*parse_utc("2026-11-26T06:00:00Z"));
    snapshot->version = "odd\"version\\\n";
    const std::string text = render_metrics(status_metrics(snapshot.get(), {}));
    expect_valid_exposition(text);
    EXPECT_TRUE(has_line(text, R"(psguard_build_info{version="odd\"version\\\n"} 1)"));
}

// Series labelled by an enum: only what was counted (heal results: done and failed always), in
// the alphabetical order of the label, as when these counters were keyed by their text.
TEST(StatusMetrics, EnumLabelledSeriesInTheirLabelsOrder) {
    auto snapshot = test::sample_snapshot(*parse_utc("2026-11-26T06:00:00Z"));
    snapshot->cycles_by_trigger = {{CycleTrigger::timer, 4},
                                   {CycleTrigger::start, 1},
                                   {CycleTrigger::file_change, 2},
                                   {CycleTrigger::endpoint, 3}};
    snapshot->heal_actions_total = {{HealActionResult::verify_failed, 2}};
    CheckReport report = *snapshot->report;
    report.evidence.emplace();
    report.evidence->totals = {{EvidenceKind::unauthorized, 1},
                               {EvidenceKind::access_denied, 2},
                               {EvidenceKind::queue_blocked, 3}};
    snapshot->report = std::make_shared<const CheckReport>(std::move(report));
    const std::string text = render_metrics(status_metrics(snapshot.get(), {}));
    expect_valid_exposition(text);
    const auto block = [&text](const std::string& name) {
        std::string lines;
        for (const auto& line : metric_lines(text)) {
            if (line.starts_with(name + "{")) {
                lines += line + "\n";
            }
        }
        return lines;
    };
    EXPECT_EQ(block("psguard_cycle_triggers_total"),
              "psguard_cycle_triggers_total{trigger=\"endpoint\"} 3\n"
              "psguard_cycle_triggers_total{trigger=\"file_change\"} 2\n"
              "psguard_cycle_triggers_total{trigger=\"start\"} 1\n"
              "psguard_cycle_triggers_total{trigger=\"timer\"} 4\n");
    EXPECT_EQ(block("psguard_heal_actions_total"),
              "psguard_heal_actions_total{result=\"done\"} 0\n"
              "psguard_heal_actions_total{result=\"failed\"} 0\n"
              "psguard_heal_actions_total{result=\"verify_failed\"} 2\n");
    EXPECT_EQ(block("psguard_evidence_total"),
              "psguard_evidence_total{kind=\"access_denied\"} 2\n"
              "psguard_evidence_total{kind=\"queue_blocked\"} 3\n"
              "psguard_evidence_total{kind=\"unauthorized\"} 1\n");
}

}  // namespace
}  // namespace psguard
