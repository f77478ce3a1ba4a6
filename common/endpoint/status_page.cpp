#include "endpoint/status_page.hpp"

#include <algorithm>
#include <map>
#include <vector>

#include "core/display_text.hpp"
#include "core/duration_text.hpp"
#include "core/json_fields.hpp"
#include "cycle/check_report.hpp"
#include "endpoint/base64.hpp"
#include "endpoint/status_views.hpp"
#include "platform/sha256.hpp"
#include "reconcile/attention_groups.hpp"

namespace psguard {
namespace {

using Json = nlohmann::json;

// A group of packages sharing a verdict and a reason lists this many; /v1/packages has them all.
constexpr std::size_t kRowsPerGroup = 200;
constexpr std::size_t kJournalShown = 50;

// The page's only style; the CSP allows exactly this text by its SHA-256.
constexpr std::string_view kStyle = R"css(
body{font:14px/1.4 system-ui,"Segoe UI",sans-serif;margin:1.5em;color:#1b1b1b;background:#fff}
h1{font-size:1.5em;margin:0 0 .2em}h2{font-size:1.15em;margin:1.6em 0 .4em}
.meta{color:#555;margin:0 0 1em}
table{border-collapse:collapse;margin:.3em 0}th,td{text-align:left;padding:.2em .7em .2em 0;vertical-align:top}
.state th{color:#555;font-weight:normal;padding-right:1.2em}
.packages th,.journal th{border-bottom:1px solid #bbb}
.packages td,.journal td{border-bottom:1px solid #eee}
code{font:13px ui-monospace,Consolas,monospace}td code{white-space:nowrap}
.copy{user-select:all;background:#f3f3f3;padding:0 .3em}
.bad{color:#b00020;font-weight:bold}.warn{color:#8a5a00;font-weight:bold}.good{color:#1a7f37;font-weight:bold}
details{margin:.5em 0}summary{cursor:pointer}
.where{color:#555}
)css";

std::string e(std::string_view text) {
    return html_escape(text);
}

// The CSS class for a verdict or cycle result: red for what needs attention first.
const char* tone(std::optional<Verdict> verdict) {
    if (verdict && !needs_attention(*verdict)) {
        return "good";
    }
    return attention_rank(verdict) <= attention_rank(Verdict::missing_locally) ? "bad" : "warn";
}

std::string span(const char* css_class, std::string_view text) {
    return std::string("<span class=\"") + css_class + "\">" + e(text) + "</span>";
}

std::string row(std::string_view heading, const std::string& cell_html) {
    return "<tr><th>" + e(heading) + "</th><td>" + cell_html + "</td></tr>\n";
}

// A text from the report as one printable line; `fallback` when empty (absent).
std::string text(std::string_view value, std::string_view fallback = "-") {
    return value.empty() ? std::string(fallback) : printable_line(value);
}

std::string state_table(const AgentSnapshot& snapshot) {
    const CheckReport* report = snapshot.report.get();
    std::string out = "<table class=\"state\">\n";
    if (const auto& cycle = snapshot.last_cycle) {
        const std::string result = cycle_result_name(cycle->exit_code);
        const double seconds = static_cast<double>(cycle->duration.count()) / 1000.0;
        out += row("Last cycle",
                   span(result == "healthy" ? "good" : "bad", result) + " at " +
                       e(format_utc(cycle->finished)) + " (" + e(to_string(cycle->trigger)) + ", " +
                       e(printable_line(cycle->scan)) + " scan, " + e(Json(seconds).dump()) +
                       " s)" + (snapshot.cycle_running ? "; a cycle is running now" : ""));
    } else {
        out += row("Last cycle", "none yet: the first cycle is running");
    }
    if (report != nullptr) {
        const NsStatus& ns = report->ns;
        out += row("NS", "<code>" + e(text(ns.url, "")) + "</code>: " +
                             (ns.usable ? span("good", "answered, report usable")
                                        : span("bad", "UNUSABLE") + ": " + e(text(ns.error))));
    }
    const AclSummary acl = acl_summary(report);
    if (!acl.ok) {
        out += row("ACL", "not checked (" + e(text(acl.note, "no credential_account")) + ")");
    } else if (*acl.ok) {
        out += row("ACL", span("good", "ok") + " for " + e(text(acl.account)));
    } else {
        std::string folders;
        for (const std::string& path : acl.problems) {
            folders += (folders.empty() ? "" : ", ") + ("<code>" + e(text(path, "")) + "</code>");
        }
        out += row("ACL", span("bad", "MISSING RIGHTS") + " for " + e(text(acl.account)) + " on " +
                              folders);
    }
    const HealReport* heal = report != nullptr && report->heal ? &*report->heal : nullptr;
    out +=
        row("Heal",
            std::string(snapshot.heal_enabled ? "enabled" : "disabled") + ", budget left today " +
                (heal != nullptr ? std::to_string(heal->budget_left_today) : "-") + ", breaker " +
                (heal != nullptr && heal->breaker
                     ? span("bad", "OPEN") + ": " + e(text(*heal->breaker, ""))
                     : std::string("closed")));
    return out + "</table>\n";
}

std::string diagnosis_section(const CheckReport* report) {
    std::string out = "<h2>Diagnosis</h2>\n";
    if (report == nullptr || report->diagnosis == Cause::unknown) {
        return out +
               "<p>No cause identified: the evidence points to none of the known causes.</p>\n";
    }
    out += "<p>" + span("bad", to_string(report->diagnosis)) + ": " +
           e(text(report->diagnosis_summary, "")) + "</p>\n";
    std::string items;
    for (const Evidence* item :
         report->evidence ? report->evidence->cited() : std::vector<const Evidence*>{}) {
        items += "<li><code>" + e(text(item->time, "")) + " " + e(text(item->source, "")) + ": " +
                 e(text(item->message, "")) + "</code> <span class=\"where\">" +
                 e(text(item->where, "")) + "</span></li>\n";
    }
    if (!items.empty()) {
        out += "<p>The evidence it cites:</p>\n<ol class=\"evidence\">\n" + items + "</ol>\n";
    }
    return out;
}

// "status version" as the page shows a package's local or NS view.
std::string pair_of(std::string_view status, std::string_view status_fallback,
                    const std::string& version) {
    const std::string shown = text(status, status_fallback);
    return version.empty() ? shown : shown + " " + version;
}

std::string heal_cell(const CheckReport& report, const std::string& id) {
    if (!report.heal) {
        return "-";
    }
    const auto it = report.heal->decisions.find(id);
    if (it == report.heal->decisions.end()) {
        return "-";  // "none"
    }
    return e(to_string(it->second.state)) + ": " + e(text(it->second.reason, ""));
}

std::string packages_html(const CheckReport* report) {
    static const std::vector<PackageVerdict> kNone;
    const std::vector<PackageVerdict>& list = report != nullptr ? report->packages : kNone;
    std::map<std::string, std::size_t> counts;
    for (const PackageVerdict& package : list) {
        ++counts[std::string(verdict_label(package.verdict))];
    }
    const auto groups = group_for_attention<PackageVerdict>(
        list,
        [](const PackageVerdict& package) {
            return std::pair(package.verdict, text(package.reason, ""));
        },
        [](const PackageVerdict&) { return true; });

    std::string out = "<h2>Packages</h2>\n<p>" + plural(list.size(), "package", "packages");
    std::vector<std::pair<int, std::string>> summary;
    for (const auto& [label, count] : counts) {
        summary.emplace_back(
            attention_rank(verdict_from_string(label)),
            span(tone(verdict_from_string(label)), label) + " " + std::to_string(count));
    }
    std::sort(summary.begin(), summary.end());
    for (std::size_t i = 0; i < summary.size(); ++i) {
        out += (i == 0 ? ": " : ", ") + summary[i].second;
    }
    out += "</p>\n";
    for (const auto& group : groups) {
        // Healthy and deleted groups start closed: the page is for what needs attention.
        const bool closed = group.verdict && !needs_attention(*group.verdict);
        out += std::string(closed ? "<details>" : "<details open>") + "<summary>" +
               span(tone(group.verdict), verdict_label(group.verdict)) + ", " +
               plural(group.items.size(), "package", "packages") + ": " + e(group.reason) +
               "</summary>\n<table class=\"packages\"><tr><th>Package</th><th>Name</th>"
               "<th>Here</th><th>NS</th><th>Heal</th></tr>\n";
        for (std::size_t i = 0; i < std::min(group.items.size(), kRowsPerGroup); ++i) {
            const PackageVerdict& package = *group.items[i];
            const std::string here =
                package.local ? pair_of(package.local->status, "?", package.local->version) : "-";
            const std::string ns =
                package.ns ? pair_of(package.ns->status, "", package.ns->version) : "-";
            out += "<tr><td><code>" + e(printable_line(package.id)) + "</code></td><td>" +
                   e(text(package.name)) + "</td><td>" + e(here) + "</td><td>" + e(ns) +
                   "</td><td>" + heal_cell(*report, package.id) + "</td></tr>\n";
        }
        out += "</table>\n";
        if (group.items.size() > kRowsPerGroup) {
            out += "<p>and " + std::to_string(group.items.size() - kRowsPerGroup) +
                   " more: <code>GET /v1/packages</code> lists every package.</p>\n";
        }
        out += "</details>\n";
    }
    return out;
}

bool restorable(const std::string& result) {
    return result == "awaiting_verification" || result == "verified" || result == "verify_failed";
}

std::string journal_section(const Json& journal) {
    std::string out = "<h2>Heal journal</h2>\n";
    const Json& actions = field(journal, "actions");
    if (!actions.is_array() || actions.empty()) {
        return out + "<p>No heal action yet.</p>\n";
    }
    out +=
        "<p>Newest first. An action's files are back, byte-identical, with the command beside "
        "it (run it on this server, elevated).</p>\n<table class=\"journal\"><tr><th>Action"
        "</th><th>Time</th><th>Package or folder</th><th>Result</th><th>Restore</th></tr>\n";
    const std::size_t shown = std::min(actions.size(), kJournalShown);
    for (std::size_t i = 0; i < shown; ++i) {
        const Json& action = actions[actions.size() - 1 - i];
        const std::string id = text_of(field(action, "id"));
        const std::string result = text_of(field(action, "result"));
        const std::string target = text_of(field(action, "kind"), "") == "acl"
                                       ? text_of(field(action, "path"))
                                       : text_of(field(action, "package"));
        out += "<tr><td><code>" + e(id) + "</code></td><td>" + e(text_of(field(action, "time"))) +
               "</td><td><code>" + e(target) + "</code></td><td>" + e(result) +
               (text_of(field(action, "detail"), "").empty()
                    ? std::string()
                    : ": " + e(text_of(field(action, "detail")))) +
               "</td><td>" +
               (restorable(result) ? "<code class=\"copy\">psguard restore " + e(id) + "</code>"
                                   : std::string("-")) +
               "</td></tr>\n";
    }
    out += "</table>\n";
    if (actions.size() > shown) {
        out += "<p>and " + std::to_string(actions.size() - shown) +
               " older: <code>psguard journal</code> lists every action.</p>\n";
    }
    return out;
}

std::string hex_to_bytes(std::string_view hex) {
    std::string bytes;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        bytes += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
    }
    return bytes;
}

}  // namespace

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                // Control characters have no business on the page: shown as U+FFFD.
                if ((static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
                    out += "\uFFFD";
                } else {
                    out += c;
                }
        }
    }
    return out;
}

const std::string& status_page_csp() {
    static const std::string policy =
        "default-src 'none'; style-src 'sha256-" + base64_encode(hex_to_bytes(sha256_hex(kStyle))) +
        "'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    return policy;
}

std::string status_page_html(const AgentSnapshot& snapshot, TimePoint now) {
    const auto setting = snapshot.settings.find("server");
    const std::string server =
        setting == snapshot.settings.end() ? "-" : printable_line(setting->second);
    const std::string result =
        snapshot.last_cycle ? cycle_result_name(snapshot.last_cycle->exit_code) : "starting";
    std::string out =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"refresh\" content=\"" +
        std::to_string(kStatusPageRefreshSeconds) +
        "\">\n<meta name=\"viewport\" content=\"width=device-width, "
        "initial-scale=1\">\n<title>psguard on " +
        e(server) + ": " + e(result) + "</title>\n<style>" + std::string(kStyle) +
        "</style>\n</head>\n<body>\n<h1>psguard on " + e(server) + "</h1>\n";
    out += "<p class=\"meta\">version " + e(printable_line(snapshot.version)) + ", up " +
           format_duration(std::max<std::int64_t>(0, (now - snapshot.started).count())) +
           ", a cycle every " + std::to_string(snapshot.interval.count()) +
           " min. This page shows " + format_utc(now) + " and refreshes every " +
           std::to_string(kStatusPageRefreshSeconds) + " s.</p>\n";
    out += state_table(snapshot);
    out += diagnosis_section(snapshot.report.get());
    out += packages_html(snapshot.report.get());
    out += journal_section(journal_json(snapshot));
    return out + "</body>\n</html>\n";
}

}  // namespace psguard
