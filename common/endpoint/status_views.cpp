#include "endpoint/status_views.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <span>
#include <utility>

#include "core/guid.hpp"
#include "cycle/check_report.hpp"
#include "reconcile/verdict.hpp"

namespace psguard {
namespace {

using Json = nlohmann::json;

double seconds_since_epoch(TimePoint time) {
    return static_cast<double>(time.time_since_epoch().count());
}

double as_seconds(std::chrono::milliseconds duration) {
    return static_cast<double>(duration.count()) / 1000.0;
}

Json text_or_null(const std::string& text) {
    return text.empty() ? Json(nullptr) : Json(text);
}

Json last_cycle_json(const std::optional<CycleSummary>& cycle) {
    if (!cycle) {
        return nullptr;
    }
    return {{"time", format_utc(cycle->finished)},
            {"duration_seconds", as_seconds(cycle->duration)},
            {"result", cycle_result_name(cycle->exit_code)},
            {"trigger", to_string(cycle->trigger)},
            {"scan", cycle->scan}};
}

// The NS as /v1/status shows it: report["ns"] without failure, rows and attempts.
Json ns_json(const CheckReport* report) {
    if (report == nullptr) {
        return nullptr;
    }
    Json ns = report_json::ns(report->ns);
    for (const char* detail : {"failure", "rows", "attempts"}) {
        ns.erase(detail);
    }
    return ns;
}

// The heal phase as /v1/status shows it: a part of report["heal"], nulls when the cycle did not
// heal.
Json heal_view(const CheckReport* report) {
    const Json heal =
        report != nullptr && report->heal ? report_json::heal(*report->heal) : Json(nullptr);
    const auto pick = [&heal](const char* key) {
        return heal.is_object() ? heal.at(key) : Json(nullptr);
    };
    return {{"budget_left_today", pick("budget_left_today")},
            {"breaker", pick("breaker")},
            {"acl_repairs", heal.is_object() ? heal.at("acl_repairs") : Json::array()},
            {"refresh", pick("refresh")},
            {"policy_refresh", pick("policy_refresh")}};
}

MetricFamily family(std::string name, std::string help, MetricType type) {
    return MetricFamily{std::move(name), std::move(help), type, {}};
}

void add(MetricFamily& into, double value,
         std::vector<std::pair<std::string, std::string>> labels = {}) {
    into.samples.push_back(MetricSample{std::move(labels), value});
}

template <typename Integer>
double count(Integer value) {
    return static_cast<double>(value);
}

// A family of one sample without labels.
void add_single(std::vector<MetricFamily>& out, std::string name, std::string help, MetricType type,
                double value) {
    auto metric = family(std::move(name), std::move(help), type);
    add(metric, value);
    out.push_back(std::move(metric));
}

// Counters without labels: {name, {help, value}}.
using Counter = std::pair<const char*, std::pair<const char*, std::uint64_t>>;

void add_counters(std::span<const Counter> counters, std::vector<MetricFamily>& out) {
    for (const auto& [name, help_and_value] : counters) {
        add_single(out, name, help_and_value.first, MetricType::counter,
                   count(help_and_value.second));
    }
}

// The entries of a map keyed by an enum, keyed by its label text in alphabetical order: the
// series' order from when these maps were keyed by the text, kept for whoever diffs /metrics.
template <typename Enum, typename Value>
std::vector<std::pair<std::string, Value>> sorted_by_label_text(const std::map<Enum, Value>& in) {
    std::vector<std::pair<std::string, Value>> out;
    out.reserve(in.size());
    for (const auto& [key, value] : in) {
        out.emplace_back(to_string(key), value);
    }
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    return out;
}

void report_metrics(const CheckReport& report, std::vector<MetricFamily>& out) {
    auto packages =
        family("psguard_packages", "Packages by verdict in the last cycle.", MetricType::gauge);
    const auto summary = report.summary();
    for (const Verdict verdict : kAllVerdicts) {
        const std::string name(to_string(verdict));
        const auto it = summary.find(name);
        add(packages, it == summary.end() ? 0 : count(it->second), {{"verdict", name}});
    }
    const auto without_verdict =
        std::count_if(report.packages.begin(), report.packages.end(),
                      [](const auto& package) { return !package.verdict; });
    add(packages, count(without_verdict), {{"verdict", "none"}});
    out.push_back(std::move(packages));

    add_single(out, "psguard_notification_server_up",
               "1 when the NS answered the last cycle with a complete, well-formed "
               "report, else 0.",
               MetricType::gauge, report.ns.usable ? 1 : 0);
    add_single(out, "psguard_notification_server_reachable",
               "1 when the NS gave an HTTP answer in the last cycle, else 0.", MetricType::gauge,
               report.ns.reachable ? 1 : 0);
    if (const auto acl = acl_summary(&report); acl.ok) {
        add_single(out, "psguard_acl_ok",
                   "1 when the credential account holds the rights it needs on every package "
                   "folder, 0 when not; absent when not checked.",
                   MetricType::gauge, *acl.ok ? 1 : 0);
    }
    if (report.heal) {
        add_single(out, "psguard_heal_budget_left",
                   "Packages psguard may still heal in the current 24 hours.", MetricType::gauge,
                   report.heal->budget_left_today);
        add_single(out, "psguard_heal_breaker_open",
                   "1 when the mass-event breaker stopped healing in the last cycle.",
                   MetricType::gauge, report.heal->breaker ? 1 : 0);
    }
    if (!report.evidence) {
        return;
    }
    // Evidence (issue 8): totals since start by kind.
    auto evidence =
        family("psguard_evidence_total",
               "Evidence items found in the agent's log and queue, by kind.", MetricType::counter);
    for (const auto& [kind, counted] :
         sorted_by_label_text(evidence_counts(report.evidence->items, report.evidence->totals))) {
        add(evidence, count(counted.total), {{"kind", kind}});
    }
    out.push_back(std::move(evidence));
    if (const auto& queue = report.evidence->queue) {
        auto metric = family("psguard_event_queue_files",
                             "Files in the agent's event queue, by state.", MetricType::gauge);
        for (const QueueState state :
             {QueueState::waiting, QueueState::sent, QueueState::blocked, QueueState::disabled}) {
            add(metric, count(queue->count(state)), {{"state", std::string(to_string(state))}});
        }
        out.push_back(std::move(metric));
    }
}

}  // namespace

std::vector<MetricFamily> endpoint_metrics(const EndpointStats& stats) {
    std::vector<MetricFamily> out;
    add_single(out, "psguard_endpoint_connections",
               "Connections the status endpoint is serving now.", MetricType::gauge,
               count(stats.open_connections));
    const Counter counters[] = {
        {"psguard_endpoint_connections_total",
         {"Connections the status endpoint accepted.", stats.connections_total}},
        {"psguard_endpoint_connections_refused_total",
         {"Connections answered 503 because endpoint.max_connections were open.",
          stats.connections_refused_total}},
        {"psguard_endpoint_bad_requests_total",
         {"Requests refused as malformed or over a limit (400, 413, 431).",
          stats.bad_requests_total}},
        {"psguard_endpoint_timeouts_total",
         {"Connections dropped for not sending a whole request within the read timeout.",
          stats.timeouts_total}},
        {"psguard_endpoint_requests_total",
         {"Requests answered by a route.", stats.requests_total}},
        {"psguard_endpoint_accept_errors_total",
         {"Failed accepts (out of descriptors, ...); the server pauses briefly after each.",
          stats.accept_errors_total}},
        {"psguard_endpoint_idle_closed_total",
         {"Idle connections closed to make room for a newcomer while endpoint.max_connections "
          "were open.",
          stats.idle_closed_total}},
        {"psguard_endpoint_tls_handshake_failures_total",
         {"TLS handshakes that failed or timed out (a refused client certificate among them).",
          stats.tls_handshake_failures_total}},
    };
    add_counters(counters, out);
    if (stats.certificate_expiry) {
        add_single(out, "psguard_endpoint_certificate_expiry_timestamp_seconds",
                   "When the endpoint's TLS certificate expires, in seconds since the "
                   "Unix epoch.",
                   MetricType::gauge, seconds_since_epoch(*stats.certificate_expiry));
    }
    return out;
}

std::string cycle_result_name(int exit_code) {
    switch (exit_code) {
        case kExitHealthy:
            return "healthy";
        case kExitFindings:
            return "findings";
        case kExitNsUnusable:
            return "ns_unusable";
        default:
            return "exit_" + std::to_string(exit_code);
    }
}

AclSummary acl_summary(const CheckReport* report) {
    AclSummary summary;
    if (report == nullptr || !report->acl) {
        return summary;
    }
    const AclReport& acl = *report->acl;
    summary.account = acl.display.empty() ? acl.account : acl.display;
    summary.note = acl.note;
    std::set<std::string> seen;
    for (const auto& result : acl.results) {
        if (result.problem() && seen.insert(result.path).second) {
            summary.problems.push_back(result.path);
        }
    }
    if (acl.configured) {
        summary.ok = acl.ok();  // also false when the account does not resolve
    }
    return summary;
}

nlohmann::json status_json(const AgentSnapshot& snapshot, TimePoint now) {
    const CheckReport* report = snapshot.report.get();
    const AclSummary acl = acl_summary(report);
    Json settings = Json::object();
    for (const auto& [key, value] : snapshot.settings) {
        settings[key] = value;
    }
    Json status = {
        {"version", snapshot.version},
        {"uptime_seconds", std::max<std::int64_t>(0, (now - snapshot.started).count())},
        {"started", format_utc(snapshot.started)},
        {"interval_minutes", snapshot.interval.count()},
        {"heal_enabled", snapshot.heal_enabled},
        {"last_cycle", last_cycle_json(snapshot.last_cycle)},
        {"cycles_total", snapshot.cycles_total},
        {"cycle_running", snapshot.cycle_running},
        {"ns", ns_json(report)},
        {"acl",
         {{"ok", acl.ok ? Json(*acl.ok) : Json(nullptr)},
          {"problems", acl.problems},
          {"account", text_or_null(acl.account)},
          {"note", text_or_null(acl.note)}}},
        {"summary", report != nullptr ? report_json::summary(*report) : Json::object()},
        {"heal", heal_view(report)},
        {"settings", std::move(settings)},
    };
    if (report != nullptr) {
        // Issue 8: what the cycle gathered as evidence, and its diagnosis.
        status["evidence"] = report_json::evidence(*report);
        status["diagnosis"] = report_json::diagnosis(*report);
        if (report->agent_view) {
            status["agent_view"] = report_json::agent_view(*report->agent_view);
        }
        if (report->smp_report) {
            status["smp_report"] = report_json::smp_report(*report->smp_report);
        }
    }
    return status;
}

nlohmann::json packages_json(const AgentSnapshot& snapshot) {
    Json packages = Json::array();
    if (snapshot.report) {
        for (const auto& package : snapshot.report->packages) {
            packages.push_back(report_json::package(*snapshot.report, package));
        }
    }
    return {{"as_of", packages_as_of(snapshot)}, {"packages", std::move(packages)}};
}

nlohmann::json packages_as_of(const AgentSnapshot& snapshot) {
    return snapshot.last_cycle ? Json(format_utc(snapshot.last_cycle->finished)) : Json(nullptr);
}

std::optional<nlohmann::json> package_json(const AgentSnapshot& snapshot, std::string_view id) {
    const auto wanted = normalise_guid(id, /*allow_bare=*/true);
    if (!wanted || !snapshot.report) {
        return std::nullopt;
    }
    // The verdicts' ids are normalised already (the scan's keys, the DataSet parser's rows).
    for (const auto& package : snapshot.report->packages) {
        if (package.id == *wanted) {
            return report_json::package(*snapshot.report, package);
        }
    }
    return std::nullopt;
}

nlohmann::json journal_json(const AgentSnapshot& snapshot) {
    Json actions = Json::array();
    for (const auto& action : snapshot.journal) {
        actions.push_back(to_json(action));  // as `psguard journal --json` shows it
    }
    return {{"actions", std::move(actions)}};
}

std::vector<MetricFamily> snapshot_metrics(const AgentSnapshot& snapshot) {
    std::vector<MetricFamily> out;
    auto info = family("psguard_build_info", "psguard's version; the value is always 1.",
                       MetricType::gauge);
    add(info, 1, {{"version", snapshot.version}});
    out.push_back(std::move(info));

    add_single(out, "psguard_start_time_seconds",
               "When the agent started, in seconds since the Unix epoch.", MetricType::gauge,
               seconds_since_epoch(snapshot.started));

    // With the last cycle's time, what an alert needs to tell "cycles stopped" (as /healthz
    // does: none for 3 intervals).
    add_single(out, "psguard_cycle_interval_seconds",
               "How often the agent runs a check cycle (agent.interval_minutes).",
               MetricType::gauge,
               static_cast<double>(std::chrono::seconds(snapshot.interval).count()));

    add_single(out, "psguard_heal_enabled", "1 when the agent loop may heal, else 0.",
               MetricType::gauge, snapshot.heal_enabled ? 1 : 0);

    add_single(out, "psguard_cycles_total", "Check cycles completed since start.",
               MetricType::counter, count(snapshot.cycles_total));

    auto by_trigger =
        family("psguard_cycle_triggers_total",
               "Check cycles completed since start, by what started them.", MetricType::counter);
    for (const auto& [trigger, total] : sorted_by_label_text(snapshot.cycles_by_trigger)) {
        add(by_trigger, count(total), {{"trigger", trigger}});
    }
    out.push_back(std::move(by_trigger));

    add_single(out, "psguard_cycle_running", "1 while a check cycle runs, else 0.",
               MetricType::gauge, snapshot.cycle_running ? 1 : 0);

    if (snapshot.last_cycle) {
        const CycleSummary& last = *snapshot.last_cycle;
        add_single(out, "psguard_cycle_duration_seconds", "How long the last check cycle took.",
                   MetricType::gauge, as_seconds(last.duration));
        add_single(out, "psguard_last_cycle_timestamp_seconds",
                   "When the last check cycle ended, in seconds since the Unix "
                   "epoch.",
                   MetricType::gauge, seconds_since_epoch(last.finished));
        add_single(out, "psguard_last_cycle_exit_code",
                   "The last cycle's result as `psguard check` exits: 0 healthy, "
                   "1 findings, 3 NS unusable.",
                   MetricType::gauge, last.exit_code);
    }

    if (snapshot.report) {
        report_metrics(*snapshot.report, out);
    }

    // "done" and "failed" always appear, at 0 before the first action: a rate() over a
    // series that springs into existence misses its first increase.
    std::map<HealActionResult, std::uint64_t> heal_actions = {{HealActionResult::done, 0},
                                                              {HealActionResult::failed, 0}};
    for (const auto& [result, total] : snapshot.heal_actions_total) {
        heal_actions[result] = total;
    }
    auto actions = family("psguard_heal_actions_total", "Heal actions since start, by result.",
                          MetricType::counter);
    for (const auto& [result, total] : sorted_by_label_text(heal_actions)) {
        add(actions, count(total), {{"result", result}});
    }
    out.push_back(std::move(actions));

    const Counter counters[] = {
        {"psguard_notification_server_failures_total",
         {"Cycles in which the NS could not be asked or its answer was unusable.",
          snapshot.ns_failures_total}},
        {"psguard_file_events_total",
         {"Cycles started by changes in the package folders.", snapshot.file_events_total}},
        {"psguard_full_rescans_total",
         {"Full rescans after the folder watcher lost events.", snapshot.full_rescans_total}},
        {"psguard_incremental_scans_total",
         {"Cycles that re-scanned only the packages whose folders changed.",
          snapshot.incremental_scans_total}},
    };
    add_counters(counters, out);
    return out;
}

std::vector<MetricFamily> status_metrics(const AgentSnapshot* snapshot,
                                         const EndpointStats& stats) {
    std::vector<MetricFamily> out;
    if (snapshot != nullptr) {
        out = snapshot_metrics(*snapshot);
    }
    for (auto& family : endpoint_metrics(stats)) {
        out.push_back(std::move(family));
    }
    return out;
}

}  // namespace psguard
