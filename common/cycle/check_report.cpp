#include "cycle/check_report.hpp"

#include <algorithm>
#include <sstream>

namespace psguard {
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

// A plain, fixed-width table; the last column (the reason) is left unpadded.
std::string render_table(const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> widths;
    for (const auto& row : rows) {
        widths.resize(std::max(widths.size(), row.size()));
        for (std::size_t i = 0; i + 1 < row.size(); ++i) {
            widths[i] = std::max(widths[i], row[i].size());
        }
    }
    std::ostringstream out;
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < row.size(); ++i) {
            out << row[i];
            if (i + 1 < row.size()) {
                out << std::string(widths[i] - row[i].size() + 2, ' ');
            }
        }
        out << '\n';
    }
    return out.str();
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

nlohmann::json heal_json(const HealReport& heal) {
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

nlohmann::json agent_view_json(const AgentViewReport& view) {
    return {{"read", view.read},
            {"note", view.note.empty() ? nlohmann::json(nullptr) : nlohmann::json(view.note)},
            {"packages", view.packages},
            {"custom_location", view.custom_location},
            {"disagreements", view.disagreements},
            {"used_for_unreadable", view.used_for_unreadable}};
}

nlohmann::json smp_report_json(const SmpReportOutcome& smp) {
    return {{"result", smp.result},
            {"detail", smp.detail},
            {"hresult",
             smp.hresult ? nlohmann::json(format_hresult(*smp.hresult)) : nlohmann::json(nullptr)},
            {"last_success", smp.last_success ? nlohmann::json(format_utc(*smp.last_success))
                                              : nlohmann::json(nullptr)}};
}

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

nlohmann::json to_json(const CheckReport& report) {
    nlohmann::json packages = nlohmann::json::array();
    for (const auto& package : report.packages) {
        packages.push_back({
            {"id", package.id},
            {"name", package.name.empty() ? nlohmann::json(nullptr) : nlohmann::json(package.name)},
            {"verdict", package.verdict ? nlohmann::json(std::string(to_string(*package.verdict)))
                                        : nlohmann::json(nullptr)},
            {"reason", package.reason},
            {"local", optional_view(package.local)},
            {"ns", optional_view(package.ns)},
            {"heal", heal_field(report, package.id)},
        });
    }
    nlohmann::json actions = nlohmann::json::array();
    if (report.heal) {
        for (const auto& action : report.heal->actions) {
            actions.push_back(
                {{"id", action.id.empty() ? nlohmann::json(nullptr) : nlohmann::json(action.id)},
                 {"package", action.package},
                 {"files", action.files},
                 {"result", action.result},
                 {"detail", action.detail}});
        }
    }
    nlohmann::json findings = nlohmann::json::array();
    for (const auto& finding : report.findings) {
        findings.push_back({{"kind", finding.kind},
                            {"path", finding.path},
                            {"detail", finding.detail},
                            {"problem", finding.problem}});
    }
    nlohmann::json summary = nlohmann::json::object();
    for (const auto& [verdict, count] : report.summary()) {
        summary[verdict] = count;
    }
    return {
        {"server", report.server},
        {"ns",
         {{"url", report.ns.url},
          {"reachable", report.ns.reachable},
          {"usable", report.ns.usable},
          {"error",
           report.ns.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(report.ns.error)},
          {"failure", report.ns.failure ? nlohmann::json(to_string(*report.ns.failure))
                                        : nlohmann::json(nullptr)},
          {"rows", report.ns.rows ? nlohmann::json(*report.ns.rows) : nlohmann::json(nullptr)},
          {"attempts", report.ns.attempts}}},
        {"packages", std::move(packages)},
        {"findings", std::move(findings)},
        {"summary", std::move(summary)},
        {"acl", acl_results_json(report)},
        {"acl_account", report.acl ? acl_account_json(*report.acl) : nlohmann::json(nullptr)},
        {"evidence",
         report.evidence.is_object() ? report.evidence["evidence"] : nlohmann::json::array()},
        {"evidence_counts", report.evidence.is_object() ? report.evidence["evidence_counts"]
                                                        : nlohmann::json::object()},
        {"event_queue",
         report.evidence.is_object() ? report.evidence["event_queue"] : nlohmann::json(nullptr)},
        {"diagnosis",
         {{"cause", std::string(to_string(report.diagnosis))},
          {"summary", report.diagnosis_summary},
          {"evidence", report.evidence.is_object() && report.evidence["diagnosis"].is_object()
                           ? report.evidence["diagnosis"]["evidence"]
                           : nlohmann::json::array()}}},
        {"actions", std::move(actions)},
        {"heal", report.heal ? heal_json(*report.heal) : nlohmann::json(nullptr)},
        {"agent_view",
         report.agent_view ? agent_view_json(*report.agent_view) : nlohmann::json(nullptr)},
        {"smp_report",
         report.smp_report ? smp_report_json(*report.smp_report) : nlohmann::json(nullptr)},
        {"exit_code", report.exit_code()},
    };
}

std::string to_table(const CheckReport& report) {
    std::ostringstream out;
    out << "Package Server " << report.server << ", NS " << report.ns.url;
    if (report.ns.usable) {
        out << " (" << *report.ns.rows << " rows)\n";
    } else {
        out << "\nNS UNUSABLE: " << report.ns.error
            << "\nVerdicts that depend on the NS are not given.\n";
    }
    out << '\n';
    std::vector<std::vector<std::string>> rows = {
        {"GUID", "NAME", "LOCAL", "NS", "VERDICT", "REASON"}};
    for (const auto& package : report.packages) {
        rows.push_back({
            package.id,
            package.name.empty() ? "-" : package.name,
            package.local ? pair_text(package.local->status, package.local->version) : "-",
            package.ns ? pair_text(package.ns->status, package.ns->version) : "-",
            package.verdict ? std::string(to_string(*package.verdict)) : "(ns unknown)",
            package.reason,
        });
    }
    out << render_table(rows);
    if (!report.findings.empty()) {
        out << "\nFindings:\n";
        std::vector<std::vector<std::string>> finding_rows;
        for (const auto& finding : report.findings) {
            finding_rows.push_back({"  " + finding.kind, finding.path, finding.detail});
        }
        out << render_table(finding_rows);
    }
    if (report.acl && report.acl->configured) {
        const AclReport& acl = *report.acl;
        out << "\nACL for " << (acl.display.empty() ? acl.account : acl.display) << ": ";
        if (!acl.account_resolved) {
            out << "ACCOUNT DOES NOT RESOLVE (" << acl.note << ")\n";
        } else if (acl.ok()) {
            out << "ok on " << acl.results.size() << " folders" << (acl.partial ? " (partial)" : "")
                << '\n';
        } else {
            out << '\n';
            for (const auto& result : acl.results) {
                if (result.ok) {
                    continue;
                }
                std::string missing;
                for (const auto& right : result.missing) {
                    missing += (missing.empty() ? "" : ", ") + right;
                }
                out << "  " << result.path << ": missing " << (missing.empty() ? "?" : missing);
                if (result.denied_by) {
                    out << " (denied by ACE " << result.denied_by->index << ", "
                        << result.denied_by->trustee
                        << (result.denied_by->inherited ? ", inherited" : "") << ")";
                }
                if (!result.error.empty()) {
                    out << " [" << result.error << "]";
                }
                out << '\n';
            }
        }
    }
    if (report.agent_view && !report.agent_view->note.empty()) {
        out << "\nAgent's view: " << report.agent_view->note << '\n';
    }
    if (report.diagnosis != Cause::unknown) {
        out << "\nDiagnosis: " << to_string(report.diagnosis) << ": " << report.diagnosis_summary
            << '\n';
    }
    if (report.heal) {
        const HealReport& heal = *report.heal;
        out << "\nHeal" << (heal.dry_run ? " (dry run: nothing touched)" : "") << ":\n";
        if (heal.breaker) {
            out << "  BREAKER: " << *heal.breaker << '\n';
        }
        for (const auto& outcome : heal.recovered) {
            out << "  recovered interrupted action " << outcome.action_id << ": " << outcome.detail
                << '\n';
        }
        for (const auto& repair : heal.acl_repairs) {
            out << "  ACL repair of " << repair.path << ": " << repair.result
                << (repair.id.empty() ? "" : " (" + repair.id + ")") << ": " << repair.detail
                << '\n';
        }
        std::vector<std::vector<std::string>> heal_rows;
        for (const auto& [id, decision] : heal.decisions) {
            heal_rows.push_back({"  " + id, to_string(decision.state),
                                 decision.action_id.empty() ? "-" : decision.action_id,
                                 decision.reason});
        }
        out << render_table(heal_rows);
        if (!heal.refresh.empty()) {
            out << "  re-report: " << heal.refresh << '\n';
        }
        if (heal.policy_refresh) {
            out << "  agent policies: " << heal.policy_refresh->result << ": "
                << heal.policy_refresh->detail << '\n';
        }
        out << "  daily budget left: " << heal.budget_left_today << '\n';
    }
    out << "\nSummary: " << report.packages.size() << " packages";
    for (const auto& [verdict, count] : report.summary()) {
        out << ", " << count << ' ' << verdict;
    }
    out << '\n';
    return out.str();
}

}  // namespace psguard
