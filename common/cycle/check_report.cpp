#include "cycle/check_report.hpp"

#include <algorithm>

#include "core/display_text.hpp"
#include "cycle/console_text.hpp"
#include "reconcile/attention_groups.hpp"

namespace psguard {

const char* to_string(ActionOutcome outcome) {
    switch (outcome) {
        case ActionOutcome::done:
            return "done";
        case ActionOutcome::failed:
            return "failed";
        case ActionOutcome::planned:
            break;
    }
    return "planned";
}
namespace {

nlohmann::json optional_view(const std::optional<LocalView>& view) {
    if (!view) {
        return nullptr;
    }
    return {
        {"status", view->status.empty() ? nlohmann::json(nullptr) : nlohmann::json(view->status)},
        {"version",
         view->version.empty() ? nlohmann::json(nullptr) : nlohmann::json(view->version)}};
}

nlohmann::json optional_view(const std::optional<NsView>& view) {
    if (!view) {
        return nullptr;
    }
    const auto text_or_null = [](const std::string& text) {
        return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
    };
    return {{"status", view->status},
            {"version", text_or_null(view->version)},
            {"reported_version", text_or_null(view->reported_version)}};
}

std::string pair_text(const std::string& status, const std::string& version) {
    if (status.empty() && version.empty()) {
        return "-";
    }
    return (status.empty() ? "?" : status) + (version.empty() ? "" : " " + version);
}

// A fixed-width table, columns padded to their widest cell (in characters), each line cut to
// `width` characters.
std::string render_table(const std::vector<std::vector<std::string>>& rows, std::size_t width) {
    std::vector<std::size_t> widths;
    for (const auto& row : rows) {
        widths.resize(std::max(widths.size(), row.size()));
        for (std::size_t i = 0; i + 1 < row.size(); ++i) {
            widths[i] = std::max(widths[i], display_width(row[i]));
        }
    }
    std::string out;
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) {
                line += std::string(widths[i] - display_width(row[i]) + 2, ' ');
            }
        }
        out += clip(line, width) + '\n';
    }
    return out;
}

}  // namespace

std::map<std::string, std::size_t> CheckReport::summary() const {
    std::map<std::string, std::size_t> counts;
    for (const auto& package : packages) {
        if (package.verdict) {
            ++counts[std::string(to_string(*package.verdict))];
        }
    }
    return counts;
}

int CheckReport::exit_code() const {
    if (!ns.usable) {
        return kExitNsUnusable;
    }
    const bool all_healthy = std::all_of(packages.begin(), packages.end(), [](const auto& p) {
        return p.verdict && !needs_attention(*p.verdict);
    });
    const bool problem =
        std::any_of(findings.begin(), findings.end(), [](const Finding& f) { return f.problem; });
    return all_healthy && !problem ? kExitHealthy : kExitFindings;
}

namespace {

nlohmann::json heal_field(const CheckReport& report, const std::string& id) {
    if (!report.heal) {
        return nullptr;
    }
    const auto it = report.heal->decisions.find(id);
    if (it == report.heal->decisions.end()) {
        return {{"state", "none"}, {"reason", nullptr}, {"action", nullptr}};
    }
    const HealDecision& decision = it->second;
    return {{"state", to_string(decision.state)},
            {"reason", decision.reason},
            {"action", decision.action_id.empty() ? nlohmann::json(nullptr)
                                                  : nlohmann::json(decision.action_id)}};
}

nlohmann::json policy_refresh_json(const PolicyRefreshReport& policy) {
    return {{"result", policy.result},
            {"action",
             policy.action_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(policy.action_id)},
            {"detail", policy.detail},
            {"hresult", policy.hresult ? nlohmann::json(format_hresult(*policy.hresult))
                                       : nlohmann::json(nullptr)},
            {"last_requested", policy.last_requested
                                   ? nlohmann::json(format_utc(*policy.last_requested))
                                   : nlohmann::json(nullptr)}};
}

}  // namespace

nlohmann::json report_json::heal(const HealReport& heal) {
    nlohmann::json refresh_steps = nlohmann::json::array();
    for (const auto& step : heal.refresh_steps) {
        refresh_steps.push_back(
            {{"trigger", to_string(step.trigger)},
             {"ok", step.ok},
             {"detail", step.detail},
             {"hresult", step.hresult ? nlohmann::json(format_hresult(*step.hresult))
                                      : nlohmann::json(nullptr)}});
    }
    nlohmann::json recovered = nlohmann::json::array();
    for (const auto& outcome : heal.recovered) {
        recovered.push_back({{"action", outcome.action_id}, {"detail", outcome.detail}});
    }
    nlohmann::json acl_repairs = nlohmann::json::array();
    for (const auto& repair : heal.acl_repairs) {
        acl_repairs.push_back(
            {{"id", repair.id.empty() ? nlohmann::json(nullptr) : nlohmann::json(repair.id)},
             {"path", repair.path},
             {"result", repair.result},
             {"detail", repair.detail}});
    }
    return {
        {"dry_run", heal.dry_run},
        {"breaker", heal.breaker ? nlohmann::json(*heal.breaker) : nlohmann::json(nullptr)},
        {"budget_left_today", heal.budget_left_today},
        {"recovered", std::move(recovered)},
        {"verified", heal.verified},
        {"verify_failed", heal.verify_failed},
        {"acl_repairs", std::move(acl_repairs)},
        {"refresh", heal.refresh.empty() ? nlohmann::json(nullptr) : nlohmann::json(heal.refresh)},
        {"refresh_steps", std::move(refresh_steps)},
        {"policy_refresh", heal.policy_refresh ? policy_refresh_json(*heal.policy_refresh)
                                               : nlohmann::json(nullptr)}};
}

nlohmann::json report_json::agent_view(const AgentViewReport& view) {
    return {{"read", view.read},
            {"note", view.note.empty() ? nlohmann::json(nullptr) : nlohmann::json(view.note)},
            {"packages", view.packages},
            {"custom_location", view.custom_location},
            {"disagreements", view.disagreements},
            {"used_for_unreadable", view.used_for_unreadable}};
}

nlohmann::json report_json::smp_report(const SmpReportOutcome& smp) {
    return {{"result", smp.result},
            {"detail", smp.detail},
            {"hresult",
             smp.hresult ? nlohmann::json(format_hresult(*smp.hresult)) : nlohmann::json(nullptr)},
            {"last_success", smp.last_success ? nlohmann::json(format_utc(*smp.last_success))
                                              : nlohmann::json(nullptr)}};
}

namespace {

nlohmann::json acl_results_json(const CheckReport& report) {
    nlohmann::json results = nlohmann::json::array();
    if (report.acl) {
        for (const auto& result : report.acl->results) {
            results.push_back(to_json(result));
        }
    }
    return results;
}

// The account part of the ACL report, without the per-path results (they are "acl").
nlohmann::json acl_account_json(const AclReport& acl) {
    nlohmann::json account = to_json(acl);
    account.erase("results");
    return account;
}

}  // namespace

nlohmann::json report_json::package(const CheckReport& report, const PackageVerdict& package) {
    return {
        {"id", package.id},
        {"name", package.name.empty() ? nlohmann::json(nullptr) : nlohmann::json(package.name)},
        {"verdict", package.verdict ? nlohmann::json(std::string(to_string(*package.verdict)))
                                    : nlohmann::json(nullptr)},
        {"reason", package.reason},
        {"local", optional_view(package.local)},
        {"ns", optional_view(package.ns)},
        {"heal", heal_field(report, package.id)},
    };
}

nlohmann::json report_json::summary(const CheckReport& report) {
    nlohmann::json summary = nlohmann::json::object();
    for (const auto& [verdict, count] : report.summary()) {
        summary[verdict] = count;
    }
    return summary;
}

nlohmann::json report_json::ns(const NsStatus& ns) {
    return {
        {"url", ns.url},
        {"reachable", ns.reachable},
        {"usable", ns.usable},
        {"error", ns.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(ns.error)},
        {"failure", ns.failure ? nlohmann::json(to_string(*ns.failure)) : nlohmann::json(nullptr)},
        {"rows", ns.rows ? nlohmann::json(*ns.rows) : nlohmann::json(nullptr)},
        {"attempts", ns.attempts}};
}

nlohmann::json report_json::evidence(const CheckReport& report) {
    nlohmann::json list = nlohmann::json::array();
    if (report.evidence) {
        for (const Evidence& item : report.evidence->items) {
            list.push_back(evidence_to_json(item));
        }
    }
    return list;
}

nlohmann::json report_json::diagnosis(const CheckReport& report) {
    return {{"cause", std::string(to_string(report.diagnosis))},
            {"summary", report.diagnosis_summary},
            {"evidence", report.evidence ? nlohmann::json(report.evidence->diagnosis.evidence)
                                         : nlohmann::json::array()}};
}

nlohmann::json to_json(const CheckReport& report) {
    nlohmann::json packages = nlohmann::json::array();
    for (const auto& package : report.packages) {
        packages.push_back(report_json::package(report, package));
    }
    nlohmann::json actions = nlohmann::json::array();
    if (report.heal) {
        for (const auto& action : report.heal->actions) {
            actions.push_back(
                {{"id", action.id.empty() ? nlohmann::json(nullptr) : nlohmann::json(action.id)},
                 {"package", action.package},
                 {"files", action.files},
                 {"result", to_string(action.result)},
                 {"detail", action.detail}});
        }
    }
    nlohmann::json findings = nlohmann::json::array();
    for (const auto& finding : report.findings) {
        findings.push_back({{"kind", to_string(finding.kind)},
                            {"path", finding.path},
                            {"detail", finding.detail},
                            {"problem", finding.problem}});
    }
    nlohmann::json evidence = report.evidence
                                  ? render_evidence(report.evidence->items, report.evidence->totals)
                                  : nlohmann::json{{"evidence", nlohmann::json::array()},
                                                   {"evidence_counts", nlohmann::json::object()}};
    return {
        {"server", report.server},
        {"ns", report_json::ns(report.ns)},
        {"packages", std::move(packages)},
        {"findings", std::move(findings)},
        {"summary", report_json::summary(report)},
        {"acl", acl_results_json(report)},
        {"acl_account", report.acl ? acl_account_json(*report.acl) : nlohmann::json(nullptr)},
        {"evidence", std::move(evidence["evidence"])},
        {"evidence_counts", std::move(evidence["evidence_counts"])},
        {"event_queue", report.evidence && report.evidence->queue
                            ? queue_summary_to_json(*report.evidence->queue)
                            : nlohmann::json(nullptr)},
        {"diagnosis", report_json::diagnosis(report)},
        {"actions", std::move(actions)},
        {"heal", report.heal ? report_json::heal(*report.heal) : nlohmann::json(nullptr)},
        {"agent_view",
         report.agent_view ? report_json::agent_view(*report.agent_view) : nlohmann::json(nullptr)},
        {"smp_report",
         report.smp_report ? report_json::smp_report(*report.smp_report) : nlohmann::json(nullptr)},
        {"exit_code", report.exit_code()},
    };
}

namespace {

// Packages sharing a verdict and a reason; more than this many are folded into one line.
constexpr std::size_t kFoldAbove = 10;
constexpr std::size_t kNameWidth = 32;
constexpr std::size_t kEvidenceShown = 3;
constexpr std::size_t kLabelIndent = 11;  // "Diagnosis: "

// Every text that comes from the report (folder and package names, XML values, log lines, NS
// errors) passes here before it is laid out: the one place that makes a cell safe to print.
std::string cell(std::string_view text) {
    return printable_line(text);
}

Colour verdict_colour(std::optional<Verdict> verdict) {
    if (verdict && !needs_attention(*verdict)) {
        return Colour::green;
    }
    const int rank = attention_rank(verdict);
    return rank <= attention_rank(Verdict::missing_locally) ? Colour::red : Colour::yellow;
}

std::string count_of(std::size_t count, std::string_view one, std::string_view many) {
    return std::to_string(count) + ' ' + std::string(count == 1 ? one : many);
}

// `label` then `text`, wrapped at the width with the continuation lines indented by `indent`;
// the label painted (it is ASCII: its width is its size).
std::string labelled(std::string_view label, Colour colour, std::string_view text,
                     const TableOptions& options, std::size_t indent) {
    // Blanks stand in for the label while wrapping, so that painting it changes no width.
    const std::string wrapped =
        wrap(std::string(label.size(), ' ') + std::string(text), options.width, indent);
    return paint(label, colour, options.colour) + wrapped.substr(label.size());
}

std::string package_rows(const AttentionGroup<PackageVerdict>& group, const TableOptions& options) {
    std::vector<std::vector<std::string>> rows;
    for (const PackageVerdict* package : group.items) {
        const std::string here =
            package->local ? pair_text(package->local->status, package->local->version) : "-";
        const std::string ns =
            package->ns ? pair_text(package->ns->status, package->ns->version) : "-";
        rows.push_back({"  " + cell(package->id),
                        clip(package->name.empty() ? "-" : cell(package->name), kNameWidth),
                        "here " + cell(here) + ", NS " + cell(ns)});
    }
    return render_table(rows, options.width);
}

std::string packages_section(const CheckReport& report, const TableOptions& options) {
    const auto groups = group_for_attention<PackageVerdict>(
        report.packages,
        [](const PackageVerdict& package) { return std::pair(package.verdict, package.reason); },
        [&options](const PackageVerdict& package) {
            return options.all || !package.verdict || needs_attention(*package.verdict);
        });
    std::size_t listed = 0;
    for (const auto& group : groups) {
        listed += group.items.size();
    }
    std::string out = "\n";
    if (options.all) {
        out += "All " + count_of(report.packages.size(), "package", "packages") + ":\n";
    } else if (listed == 0) {
        return out + "No package needs attention (--all lists every package).\n";
    } else {
        out += "Needs attention: " + std::to_string(listed) + " of " +
               count_of(report.packages.size(), "package", "packages") +
               " (--all lists every package):\n";
    }
    for (const auto& group : groups) {
        const bool fold = !options.all && group.items.size() > kFoldAbove;
        out += labelled(verdict_label(group.verdict), verdict_colour(group.verdict),
                        ", " + count_of(group.items.size(), "package", "packages") + ": " +
                            cell(group.reason) + (fold ? " (--all lists them)" : ""),
                        options, 4);
        if (!fold) {
            out += package_rows(group, options);
        }
    }
    return out;
}

// The evidence the diagnosis cites, one line each: "time source: message (where)".
std::vector<std::string> cited_evidence_lines(const CheckReport& report) {
    std::vector<std::string> lines;
    if (!report.evidence) {
        return lines;
    }
    for (const Evidence* item : report.evidence->cited()) {
        std::string line = printable_line(item->time);
        line += (line.empty() ? "" : " ") + printable_line(item->source);
        line += (line.empty() ? "" : ": ") + printable_line(item->message);
        if (const std::string where = printable_line(item->where); !where.empty()) {
            line += " (" + where + ")";
        }
        lines.push_back(cell(line));
    }
    return lines;
}

std::string heading(const CheckReport& report, const TableOptions& options) {
    std::string out = wrap("Package Server " + cell(report.server) + ", NS " + cell(report.ns.url) +
                               (report.ns.usable && report.ns.rows
                                    ? ": answered, " + count_of(*report.ns.rows, "row", "rows")
                                    : ""),
                           options.width, 4);
    if (!report.ns.usable) {
        out += labelled(
            "NS UNUSABLE:", Colour::red,
            " " + cell(report.ns.error) + " (verdicts that depend on the NS are not given)",
            options, kLabelIndent);
    }
    std::vector<std::pair<int, std::string>> counts;
    std::size_t without_verdict = 0;
    for (const auto& package : report.packages) {
        without_verdict += package.verdict ? 0 : 1;
    }
    for (const auto& [verdict, count] : report.summary()) {
        counts.emplace_back(attention_rank(verdict_from_string(verdict)),
                            std::to_string(count) + ' ' + verdict);
    }
    if (without_verdict > 0) {
        counts.emplace_back(attention_rank(std::nullopt),
                            std::to_string(without_verdict) + " without a verdict");
    }
    std::sort(counts.begin(), counts.end());
    std::string summary = " " + count_of(report.packages.size(), "package", "packages");
    for (std::size_t i = 0; i < counts.size(); ++i) {
        summary += (i == 0 ? ": " : ", ") + counts[i].second;
    }
    out += labelled("Summary:  ", Colour::bold, summary, options, kLabelIndent);
    if (report.diagnosis != Cause::unknown) {
        out += labelled(
            "Diagnosis:", Colour::bold,
            " " + std::string(to_string(report.diagnosis)) + ": " + cell(report.diagnosis_summary),
            options, kLabelIndent);
        const auto cited = cited_evidence_lines(report);
        for (std::size_t i = 0; i < std::min(cited.size(), kEvidenceShown); ++i) {
            out += wrap(std::string(kLabelIndent, ' ') + "evidence: " + cited[i], options.width,
                        kLabelIndent + 4);
        }
        if (cited.size() > kEvidenceShown) {
            out += std::string(kLabelIndent, ' ') + "and " +
                   std::to_string(cited.size() - kEvidenceShown) + " more (--json)\n";
        }
    }
    return out;
}

std::string findings_section(const CheckReport& report, const TableOptions& options) {
    if (report.findings.empty()) {
        return {};
    }
    std::string out = "\nFindings:\n";
    for (const auto& finding : report.findings) {
        out += wrap("  " + cell(to_string(finding.kind)) + ": " + cell(finding.path) +
                        (finding.detail.empty() ? "" : ": " + cell(finding.detail)),
                    options.width, 6);
    }
    return out;
}

std::string acl_section(const CheckReport& report, const TableOptions& options) {
    if (!report.acl || !report.acl->configured) {
        return {};
    }
    const AclReport& acl = *report.acl;
    const std::string head =
        "\nACL for " + cell(acl.display.empty() ? acl.account : acl.display) + ": ";
    if (!acl.account_resolved) {
        return wrap(head + "ACCOUNT DOES NOT RESOLVE (" + cell(acl.note) + ")", options.width, 4);
    }
    if (acl.ok()) {
        const auto links = static_cast<std::size_t>(
            std::count_if(acl.results.begin(), acl.results.end(),
                          [](const AclResult& result) { return !result.not_checked.empty(); }));
        return wrap(
            head + "ok on " + count_of(acl.results.size() - links, "folder", "folders") +
                (links > 0 ? ", " + count_of(links, "link", "links") + " not checked" : "") +
                (acl.partial ? " (partial)" : ""),
            options.width, 4);
    }
    std::string out = head + '\n';
    for (const auto& result : acl.results) {
        if (!result.problem()) {
            continue;
        }
        std::string missing;
        for (const auto& right : result.missing) {
            missing += (missing.empty() ? "" : ", ") + right;
        }
        std::string line =
            "  " + cell(result.path) + ": missing " + (missing.empty() ? "?" : missing);
        if (result.denied_by) {
            line += " (denied by ACE " + std::to_string(result.denied_by->index) + ", " +
                    cell(result.denied_by->trustee) +
                    (result.denied_by->inherited ? ", inherited" : "") + ")";
        }
        if (!result.error.empty()) {
            line += " [" + cell(result.error) + "]";
        }
        out += wrap(line, options.width, 6);
    }
    return out;
}

std::string agent_view_section(const CheckReport& report, const TableOptions& options) {
    if (!report.agent_view || report.agent_view->note.empty()) {
        return {};
    }
    return "\n" + wrap("Agent's view: " + cell(report.agent_view->note), options.width, 4);
}

std::string heal_section(const CheckReport& report, const TableOptions& options) {
    if (!report.heal) {
        return {};
    }
    const HealReport& heal = *report.heal;
    std::string out =
        std::string("\nHeal") + (heal.dry_run ? " (dry run: nothing touched)" : "") + ":\n";
    if (heal.breaker) {
        out += labelled("  BREAKER:", Colour::red, " " + cell(*heal.breaker), options, 6);
    }
    for (const auto& outcome : heal.recovered) {
        out += wrap("  recovered interrupted action " + cell(outcome.action_id) + ": " +
                        cell(outcome.detail),
                    options.width, 6);
    }
    for (const auto& repair : heal.acl_repairs) {
        out += wrap("  ACL repair of " + cell(repair.path) + ": " + repair.result +
                        (repair.id.empty() ? "" : " (" + cell(repair.id) + ")") + ": " +
                        cell(repair.detail),
                    options.width, 6);
    }
    // Decisions grouped like the packages: many blocked for one reason make one line.
    std::map<std::pair<std::string, std::string>, std::vector<std::string>> groups;
    for (const auto& [id, decision] : heal.decisions) {
        groups[{to_string(decision.state), decision.reason}].push_back(
            cell(id) + (decision.action_id.empty() ? "" : "  " + cell(decision.action_id)));
    }
    for (const auto& [key, members] : groups) {
        const bool fold = !options.all && members.size() > kFoldAbove;
        out += wrap("  " + key.first + ", " + count_of(members.size(), "package", "packages") +
                        ": " + cell(key.second) + (fold ? " (--all lists them)" : ""),
                    options.width, 6);
        for (std::size_t i = 0; !fold && i < members.size(); ++i) {
            out += clip("    " + members[i], options.width) + '\n';
        }
    }
    if (!heal.refresh.empty()) {
        out += wrap("  re-report: " + cell(heal.refresh), options.width, 6);
    }
    if (heal.policy_refresh) {
        out += wrap("  agent policies: " + heal.policy_refresh->result + ": " +
                        cell(heal.policy_refresh->detail),
                    options.width, 6);
    }
    out += "  daily budget left: " + std::to_string(heal.budget_left_today) + '\n';
    return out;
}

}  // namespace

std::string to_table(const CheckReport& report, const TableOptions& options) {
    return heading(report, options) + packages_section(report, options) +
           findings_section(report, options) + acl_section(report, options) +
           agent_view_section(report, options) + heal_section(report, options);
}

}  // namespace psguard
