#include "evidence/evidence_cycle.hpp"

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "core/utc_time.hpp"
#include "core/utf8_path.hpp"
#include "evidence/log_signatures.hpp"

namespace psguard {

namespace {

LogReadOptions reader_options(const EvidenceConfig& config) {
    LogReadOptions options;
    options.max_read_per_cycle_bytes = config.max_read_per_cycle_bytes;
    return options;
}

int month_number(std::string_view name) {
    constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (int i = 0; i < 12; ++i) {
        if (kMonths[i] == name) {
            return i + 1;
        }
    }
    return 0;
}

// "16", "11:51:05" -> numbers; -1 when not digits.
int number(std::string_view digits) {
    if (digits.empty() || digits.size() > 2) {
        return -1;
    }
    int value = 0;
    for (const char c : digits) {
        if (c < '0' || c > '9') {
            return -1;
        }
        value = value * 10 + (c - '0');
    }
    return value;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> estimate_event_time(
    std::string_view date, std::chrono::system_clock::time_point now) {
    using namespace std::chrono;
    // "Mon DD HH:MM:SS", the day possibly space-padded.
    std::vector<std::string_view> parts;
    for (std::size_t at = 0; at < date.size();) {
        const std::size_t end = std::min(date.find(' ', at), date.size());
        if (end > at) {
            parts.push_back(date.substr(at, end - at));
        }
        at = end + 1;
    }
    if (parts.size() != 3 || parts[2].size() != 8 || parts[2][2] != ':' || parts[2][5] != ':') {
        return std::nullopt;
    }
    const int month_value = month_number(parts[0]);
    const int day_value = number(parts[1]);
    const int h = number(parts[2].substr(0, 2));
    const int m = number(parts[2].substr(3, 2));
    const int s = number(parts[2].substr(6, 2));
    if (month_value == 0 || day_value < 1 || h < 0 || h > 23 || m < 0 || m > 59 || s < 0 ||
        s > 60) {
        return std::nullopt;
    }
    const year_month_day today{floor<days>(now)};
    for (int back = 0; back < 8; ++back) {  // Feb 29 may need a few years back
        const year_month_day candidate{today.year() - years(back),
                                       month(static_cast<unsigned>(month_value)),
                                       day(static_cast<unsigned>(day_value))};
        if (!candidate.ok()) {
            continue;
        }
        const auto time = sys_days(candidate) + hours(h) + minutes(m) + seconds(s);
        if (time <= now + days(1)) {
            return time_point_cast<system_clock::duration>(time);
        }
    }
    return std::nullopt;
}

std::optional<Evidence> evidence_from_event(const LogEvent& event,
                                            std::chrono::system_clock::time_point observed) {
    const Signature* signature = match_signature(event.message);
    if (signature == nullptr) {
        return std::nullopt;
    }
    Evidence evidence;
    evidence.kind = signature->kind;
    evidence.time = event.date;
    evidence.source = event.source;
    evidence.message = bound_message(event.message);
    evidence.where = path_to_utf8(event.file) + ":" + std::to_string(event.offset);
    evidence.path = extract_path(event.message);
    evidence.package = extract_package_guid(event.message);
    const auto logged = estimate_event_time(event.date, observed);
    evidence.observed = logged && *logged < observed ? *logged : observed;
    return evidence;
}

std::vector<Evidence> ns_error_evidence(const std::vector<NsReportedError>& errors,
                                        std::chrono::system_clock::time_point now) {
    std::vector<Evidence> found;
    const std::string stamp = format_utc(std::chrono::floor<std::chrono::seconds>(now));
    for (const auto& error : errors) {
        Evidence evidence;
        const Signature* signature = match_signature(error.text);
        evidence.kind = signature ? signature->kind : EvidenceKind::ns_reported_error;
        evidence.time = stamp;
        evidence.source = "NS";
        evidence.message = bound_message(error.text);
        evidence.where = "NS report, package " + error.package;
        evidence.package = error.package;
        evidence.path = extract_path(error.text);
        evidence.observed = now;
        found.push_back(std::move(evidence));
    }
    return found;
}

EvidenceState::EvidenceState(const EvidenceConfig& config)
    : reader_(reader_options(config)), report_(config.max_items_per_kind) {}

nlohmann::json EvidenceState::to_json() const {
    return {{"version", 1},
            {"log_cursors", log_cursors_to_json(reader_.cursors())},
            {"evidence", report_.to_state_json()}};
}

Result<EvidenceState> EvidenceState::from_json(const nlohmann::json& json,
                                               const EvidenceConfig& config) {
    if (!json.is_object() || !json.contains("version") || json.at("version") != 1 ||
        !json.contains("log_cursors") || !json.contains("evidence")) {
        return fail("evidence state: expected {\"version\": 1, \"log_cursors\", \"evidence\"}");
    }
    auto cursors = log_cursors_from_json(json.at("log_cursors"));
    if (!cursors) {
        return cursors.error();
    }
    auto report = EvidenceReport::from_state_json(json.at("evidence"), config.max_items_per_kind);
    if (!report) {
        return report.error();
    }
    EvidenceState state(config);
    state.reader_ = AgentLogReader(reader_options(config), std::move(cursors).value());
    state.report_ = std::move(report).value();
    return state;
}

EvidenceCycleResult run_evidence_cycle(EvidenceState& state, const EvidenceConfig& config,
                                       const EvidenceCycleInput& input) {
    EvidenceCycleResult result;
    if (!config.log_dir.empty()) {
        auto stats = state.reader().read_new(config.log_dir, [&](const LogEvent& event) {
            if (auto evidence = evidence_from_event(event, input.now)) {
                state.report().add(std::move(*evidence));
            }
        });
        if (stats) {
            for (const std::string& problem : stats->problems) {
                result.problems.push_back("agent log: " + problem);
            }
            result.log = std::move(stats).value();
        } else {
            result.problems.push_back(stats.error().message);
        }
    }
    state.report().prune_observed_before(input.now - config.retention);
    result.items = state.report().items();
    result.totals = state.report().totals();
    const auto from_ns = ns_error_evidence(input.ns_errors, input.now);
    result.items.insert(result.items.end(), from_ns.begin(), from_ns.end());

    if (!config.queue_dir.empty()) {
        auto queue = read_event_queue(config.queue_dir, input.now);
        if (queue) {
            const auto found = queue_evidence(*queue, state.previous_queue(),
                                              {config.backlog_age, config.backlog_files});
            result.items.insert(result.items.end(), found.begin(), found.end());
            for (const std::string& problem : queue->problems) {
                result.problems.push_back("event queue: " + problem);
            }
            result.queue = queue.value();
            state.set_previous_queue(std::move(queue).value());
        } else {
            result.problems.push_back(queue.error().message);
            state.set_previous_queue(std::nullopt);
        }
    }
    // Diagnose on the evidence that is still current; indices point back into result.items.
    std::vector<Evidence> current;
    std::vector<std::size_t> index_of;
    for (std::size_t i = 0; i < result.items.size(); ++i) {
        if (!input.settled_before || result.items[i].observed > *input.settled_before) {
            current.push_back(result.items[i]);
            index_of.push_back(i);
        }
    }
    result.diagnosis =
        diagnose({input.account_resolved, input.acl_ok, input.package_roots, current});
    for (auto& index : result.diagnosis.evidence) {
        index = index_of[index];
    }
    return result;
}

std::vector<const Evidence*> EvidenceCycleResult::cited() const {
    std::vector<const Evidence*> out;
    for (const std::size_t index : diagnosis.evidence) {
        if (index < items.size()) {
            out.push_back(&items[index]);
        }
    }
    return out;
}

nlohmann::json EvidenceCycleResult::to_json() const {
    nlohmann::json out = render_evidence(items, totals);
    out["diagnosis"] = diagnosis_to_json(diagnosis);
    out["event_queue"] = queue ? queue_summary_to_json(*queue) : nlohmann::json(nullptr);
    out["evidence_problems"] = problems;
    return out;
}

}  // namespace psguard
