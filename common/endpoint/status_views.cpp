#include "endpoint/status_views.hpp"

#include <algorithm>
#include <set>

#include "core/guid.hpp"
#include "cycle/check_report.hpp"
#include "reconcile/verdict.hpp"

namespace psguard {
namespace {

using Json = nlohmann::json;

// The report is produced by other code and may grow or change: every read is tolerant, a
// missing or mistyped member reads as absent instead of throwing.
const Json* member(const Json& object, const std::string& key) {
    if (!object.is_object()) {
        return nullptr;
    }
    const auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

Json member_or_null(const Json& object, const std::string& key) {
    const Json* found = member(object, key);
    return found != nullptr ? *found : Json(nullptr);
}

std::optional<bool> bool_member(const Json& object, const std::string& key) {
    const Json* found = member(object, key);
    if (found == nullptr || !found->is_boolean()) {
        return std::nullopt;
    }
    return found->get<bool>();
}

std::optional<double> number_member(const Json& object, const std::string& key) {
    const Json* found = member(object, key);
    if (found == nullptr || !found->is_number()) {
        return std::nullopt;
    }
    return found->get<double>();
}

double seconds_since_epoch(TimePoint time) {
    return static_cast<double>(time.time_since_epoch().count());
}

double as_seconds(std::chrono::milliseconds duration) {
    return static_cast<double>(duration.count()) / 1000.0;
}

struct AclSummary {
    std::optional<bool> ok;             // nullopt: the cycle did not (or could not) check the ACLs
    std::vector<std::string> problems;  // folders lacking rights
    Json account = nullptr;             // whom the check was for, when the report says
    Json note = nullptr;                // why not (everything) was checked
};

// report["acl"]: [{path, account, resolved, ok, ...}], and report["acl_account"]: {configured,
// account_resolved, display, note, ok, ...} when the cycle checked. The account's "ok" is the
// verdict (it also fails when the account does not resolve); without it: all entries ok -> true,
// any not ok -> false, none or undecided -> unknown.
AclSummary acl_summary(const Json& report) {
    AclSummary summary;
    const Json account = member_or_null(report, "acl_account");
    if (account.is_object()) {
        summary.account = member_or_null(account, "display");
        if (summary.account.is_null()) {
            summary.account = member_or_null(account, "account");
        }
        summary.note = member_or_null(account, "note");
    }
    bool all_ok = true;
    bool any_failed = false;
    std::set<std::string> seen;
    const Json* entries = member(report, "acl");
    if (entries != nullptr && entries->is_array()) {
        for (const Json& entry : *entries) {
            const auto ok = bool_member(entry, "ok");
            if (ok == false) {
                any_failed = true;
                const Json* path = member(entry, "path");
                const std::string text = path != nullptr && path->is_string()
                                             ? path->get<std::string>()
                                             : std::string("?");
                if (seen.insert(text).second) {
                    summary.problems.push_back(text);
                }
            }
            all_ok = all_ok && ok == true;
        }
    }
    if (account.is_object()) {
        if (bool_member(account, "configured") == true) {
            summary.ok = bool_member(account, "ok");
        }
        return summary;
    }
    if (any_failed) {
        summary.ok = false;
    } else if (all_ok && entries != nullptr && entries->is_array() && !entries->empty()) {
        summary.ok = true;
    }
    return summary;
}

Json last_cycle_json(const std::optional<CycleSummary>& cycle) {
    if (!cycle) {
        return nullptr;
    }
    return {{"time", format_utc(cycle->finished)},
            {"duration_seconds", as_seconds(cycle->duration)},
            {"result", cycle_result_name(cycle->exit_code)},
            {"trigger", cycle->trigger},
            {"scan", cycle->scan}};
}

Json ns_json(const Json& report) {
    const Json* ns = member(report, "ns");
    if (ns == nullptr || !ns->is_object()) {
        return nullptr;
    }
    return {{"url", member_or_null(*ns, "url")},
            {"reachable", member_or_null(*ns, "reachable")},
            {"usable", member_or_null(*ns, "usable")},
            {"error", member_or_null(*ns, "error")}};
}

Json heal_view(const Json& report) {
    const Json heal = member_or_null(report, "heal");
    const Json repairs = member_or_null(heal, "acl_repairs");
    return {{"budget_left_today", member_or_null(heal, "budget_left_today")},
            {"breaker", member_or_null(heal, "breaker")},
            {"acl_repairs", repairs.is_array() ? repairs : Json::array()},
            {"refresh", member_or_null(heal, "refresh")},
            {"policy_refresh", member_or_null(heal, "policy_refresh")}};
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

void report_metrics(const Json& report, std::vector<MetricFamily>& out) {
    if (report.is_null()) {
        return;
    }
    auto packages =
        family("psguard_packages", "Packages by verdict in the last cycle.", MetricType::gauge);
    const Json summary = member_or_null(report, "summary");
    for (const Verdict verdict : kAllVerdicts) {
        const std::string name(to_string(verdict));
        add(packages, number_member(summary, name).value_or(0), {{"verdict", name}});
    }
    double without_verdict = 0;
    if (const Json* list = member(report, "packages"); list != nullptr && list->is_array()) {
        for (const Json& package : *list) {
            if (member_or_null(package, "verdict").is_null()) {
                ++without_verdict;
            }
        }
    }
    add(packages, without_verdict, {{"verdict", "none"}});
    out.push_back(std::move(packages));

    const Json ns = member_or_null(report, "ns");
    if (const auto usable = bool_member(ns, "usable")) {
        auto up = family("psguard_notification_server_up",
                         "1 when the NS answered the last cycle with a complete, well-formed "
                         "report, else 0.",
                         MetricType::gauge);
        add(up, *usable ? 1 : 0);
        out.push_back(std::move(up));
    }
    if (const auto reachable = bool_member(ns, "reachable")) {
        auto metric = family("psguard_notification_server_reachable",
                             "1 when the NS gave an HTTP answer in the last cycle, else 0.",
                             MetricType::gauge);
        add(metric, *reachable ? 1 : 0);
        out.push_back(std::move(metric));
    }
    if (const auto acl = acl_summary(report); acl.ok) {
        auto metric = family("psguard_acl_ok",
                             "1 when the credential account holds the rights it needs on every "
                             "package folder, 0 when not; absent when not checked.",
                             MetricType::gauge);
        add(metric, *acl.ok ? 1 : 0);
        out.push_back(std::move(metric));
    }
    if (const Json heal = member_or_null(report, "heal"); heal.is_object()) {
        if (const auto budget = number_member(heal, "budget_left_today")) {
            auto metric = family("psguard_heal_budget_left",
                                 "Packages psguard may still heal in the current 24 hours.",
                                 MetricType::gauge);
            add(metric, *budget);
            out.push_back(std::move(metric));
        }
        auto breaker = family("psguard_heal_breaker_open",
                              "1 when the mass-event breaker stopped healing in the last cycle.",
                              MetricType::gauge);
        add(breaker, member_or_null(heal, "breaker").is_null() ? 0 : 1);
        out.push_back(std::move(breaker));
    }

    // Evidence (issue 8): totals since start by kind, from "evidence_counts" when the report
    // has them, else counted from the "evidence" list.
    std::map<std::string, double> evidence;
    if (const Json* counts = member(report, "evidence_counts");
        counts != nullptr && counts->is_object()) {
        for (const auto& [kind, value] : counts->items()) {
            evidence[kind] = number_member(value, "total").value_or(0);
        }
    } else if (const Json* list = member(report, "evidence"); list != nullptr && list->is_array()) {
        for (const Json& item : *list) {
            if (const Json* kind = member(item, "kind"); kind != nullptr && kind->is_string()) {
                ++evidence[kind->get<std::string>()];
            }
        }
    }
    if (member(report, "evidence") != nullptr || member(report, "evidence_counts") != nullptr) {
        auto metric = family("psguard_evidence_total",
                             "Evidence items found in the agent's log and queue, by kind.",
                             MetricType::counter);
        for (const auto& [kind, total] : evidence) {
            add(metric, total, {{"kind", kind}});
        }
        out.push_back(std::move(metric));
    }
    if (const Json queue = member_or_null(report, "event_queue"); queue.is_object()) {
        auto metric = family("psguard_event_queue_files",
                             "Files in the agent's event queue, by state.", MetricType::gauge);
        for (const char* state : {"waiting", "sent", "blocked", "disabled"}) {
            if (const auto files = number_member(queue, state)) {
                add(metric, *files, {{"state", state}});
            }
        }
        out.push_back(std::move(metric));
    }
}

void endpoint_metrics(const EndpointStats& stats, std::vector<MetricFamily>& out) {
    auto open = family("psguard_endpoint_connections",
                       "Connections the status endpoint is serving now.", MetricType::gauge);
    add(open, count(stats.open_connections));
    out.push_back(std::move(open));
    const std::pair<const char*, std::pair<const char*, std::uint64_t>> counters[] = {
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
    for (const auto& [name, help_and_value] : counters) {
        auto metric = family(name, help_and_value.first, MetricType::counter);
        add(metric, count(help_and_value.second));
        out.push_back(std::move(metric));
    }
    if (stats.certificate_expiry) {
        auto expiry = family("psguard_endpoint_certificate_expiry_timestamp_seconds",
                             "When the endpoint's TLS certificate expires, in seconds since the "
                             "Unix epoch.",
                             MetricType::gauge);
        add(expiry, seconds_since_epoch(*stats.certificate_expiry));
        out.push_back(std::move(expiry));
    }
}

}  // namespace

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

nlohmann::json status_json(const AgentSnapshot& snapshot, TimePoint now) {
    const Json& report = snapshot.report;
    const AclSummary acl = acl_summary(report);
    const Json summary = member_or_null(report, "summary");
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
          {"account", acl.account},
          {"note", acl.note}}},
        {"summary", summary.is_object() ? summary : Json::object()},
        {"heal", heal_view(report)},
        {"settings", std::move(settings)},
    };
    // Issue 8: present only when the cycle gathered evidence.
    for (const char* key : {"evidence", "diagnosis", "agent_view", "smp_report"}) {
        if (const Json* value = member(report, key); value != nullptr && !value->is_null()) {
            status[key] = *value;
        }
    }
    return status;
}

nlohmann::json packages_json(const AgentSnapshot& snapshot) {
    const Json* list = member(snapshot.report, "packages");
    return {{"as_of",
             snapshot.last_cycle ? Json(format_utc(snapshot.last_cycle->finished)) : Json(nullptr)},
            {"packages", list != nullptr && list->is_array() ? *list : Json::array()}};
}

std::optional<nlohmann::json> package_json(const AgentSnapshot& snapshot, std::string_view id) {
    const auto wanted = normalise_guid(id, /*allow_bare=*/true);
    const Json* list = member(snapshot.report, "packages");
    if (!wanted || list == nullptr || !list->is_array()) {
        return std::nullopt;
    }
    for (const Json& package : *list) {
        const Json* package_id = member(package, "id");
        if (package_id == nullptr || !package_id->is_string()) {
            continue;
        }
        if (normalise_guid(package_id->get<std::string>(), true) == wanted) {
            return package;
        }
    }
    return std::nullopt;
}

nlohmann::json journal_json(const AgentSnapshot& snapshot) {
    return {{"actions", snapshot.journal.is_array() ? snapshot.journal : Json::array()}};
}

std::vector<MetricFamily> status_metrics(const AgentSnapshot* snapshot,
                                         const EndpointStats& stats) {
    std::vector<MetricFamily> out;
    if (snapshot != nullptr) {
        auto info = family("psguard_build_info", "psguard's version; the value is always 1.",
                           MetricType::gauge);
        add(info, 1, {{"version", snapshot->version}});
        out.push_back(std::move(info));

        auto started =
            family("psguard_start_time_seconds",
                   "When the agent started, in seconds since the Unix epoch.", MetricType::gauge);
        add(started, seconds_since_epoch(snapshot->started));
        out.push_back(std::move(started));

        // With the last cycle's time, what an alert needs to tell "cycles stopped" (as
        // /healthz does: none for 3 intervals).
        auto interval = family("psguard_cycle_interval_seconds",
                               "How often the agent runs a check cycle (agent.interval_minutes).",
                               MetricType::gauge);
        add(interval, static_cast<double>(std::chrono::seconds(snapshot->interval).count()));
        out.push_back(std::move(interval));

        auto heal_enabled = family("psguard_heal_enabled",
                                   "1 when the agent loop may heal, else 0.", MetricType::gauge);
        add(heal_enabled, snapshot->heal_enabled ? 1 : 0);
        out.push_back(std::move(heal_enabled));

        auto cycles = family("psguard_cycles_total", "Check cycles completed since start.",
                             MetricType::counter);
        add(cycles, count(snapshot->cycles_total));
        out.push_back(std::move(cycles));

        auto by_trigger = family("psguard_cycle_triggers_total",
                                 "Check cycles completed since start, by what started them.",
                                 MetricType::counter);
        for (const auto& [trigger, total] : snapshot->cycles_by_trigger) {
            add(by_trigger, count(total), {{"trigger", trigger}});
        }
        out.push_back(std::move(by_trigger));

        auto running = family("psguard_cycle_running", "1 while a check cycle runs, else 0.",
                              MetricType::gauge);
        add(running, snapshot->cycle_running ? 1 : 0);
        out.push_back(std::move(running));

        if (snapshot->last_cycle) {
            const CycleSummary& last = *snapshot->last_cycle;
            auto duration = family("psguard_cycle_duration_seconds",
                                   "How long the last check cycle took.", MetricType::gauge);
            add(duration, as_seconds(last.duration));
            out.push_back(std::move(duration));
            auto finished = family("psguard_last_cycle_timestamp_seconds",
                                   "When the last check cycle ended, in seconds since the Unix "
                                   "epoch.",
                                   MetricType::gauge);
            add(finished, seconds_since_epoch(last.finished));
            out.push_back(std::move(finished));
            auto exit_code = family("psguard_last_cycle_exit_code",
                                    "The last cycle's result as `psguard check` exits: 0 healthy, "
                                    "1 findings, 3 NS unusable.",
                                    MetricType::gauge);
            add(exit_code, last.exit_code);
            out.push_back(std::move(exit_code));
        }

        report_metrics(snapshot->report, out);

        // "done" and "failed" always appear, at 0 before the first action: a rate() over a
        // series that springs into existence misses its first increase.
        std::map<std::string, std::uint64_t> heal_actions = {{"done", 0}, {"failed", 0}};
        for (const auto& [result, total] : snapshot->heal_actions_total) {
            heal_actions[result] = total;
        }
        auto actions = family("psguard_heal_actions_total", "Heal actions since start, by result.",
                              MetricType::counter);
        for (const auto& [result, total] : heal_actions) {
            add(actions, count(total), {{"result", result}});
        }
        out.push_back(std::move(actions));

        const std::pair<const char*, std::pair<const char*, std::uint64_t>> counters[] = {
            {"psguard_notification_server_failures_total",
             {"Cycles in which the NS could not be asked or its answer was unusable.",
              snapshot->ns_failures_total}},
            {"psguard_file_events_total",
             {"Cycles started by changes in the package folders.", snapshot->file_events_total}},
            {"psguard_full_rescans_total",
             {"Full rescans after the folder watcher lost events.", snapshot->full_rescans_total}},
            {"psguard_incremental_scans_total",
             {"Cycles that re-scanned only the packages whose folders changed.",
              snapshot->incremental_scans_total}},
        };
        for (const auto& [name, help_and_value] : counters) {
            auto metric = family(name, help_and_value.first, MetricType::counter);
            add(metric, count(help_and_value.second));
            out.push_back(std::move(metric));
        }
    }
    endpoint_metrics(stats, out);
    return out;
}

}  // namespace psguard
