#include "heal/policy_refresh.hpp"

namespace psguard {
namespace {

// Journal action ids carry a package's short id; this action has no package.
constexpr const char* kPolicyActionTag = "{policies}";

// Confirms (or not) the request of an earlier cycle.
std::optional<PolicyRefreshReport> verify_request(const HealConfig& config,
                                                  const PolicyRefreshInput& input,
                                                  HealHistory& history, Journal& journal,
                                                  TimePoint now) {
    if (history.policy_action.empty()) {
        return std::nullopt;
    }
    ++history.cycles_since_policy_refresh;
    PolicyRefreshReport report{"", history.policy_action, "", std::nullopt,
                               history.policy_refreshed};
    if (!input.credential_not_applied) {
        report.result = "verified";
        report.detail = "the evidence no longer points to credential_not_applied";
    } else if (history.cycles_since_policy_refresh >= config.verify_cycles) {
        report.result = "verify_failed";
        report.detail = "the evidence still points to credential_not_applied after " +
                        std::to_string(history.cycles_since_policy_refresh) + " cycles";
    } else {
        return std::nullopt;
    }
    const Outcome outcome =
        report.result == "verified" ? Outcome::verified : Outcome::verify_failed;
    if (!journal.append(report.action_id, OutcomeEvent{outcome, report.detail}, now)) {
        return std::nullopt;  // not recorded, so not taken: the next cycle verifies again
    }
    history.policy_action.clear();
    history.cycles_since_policy_refresh = 0;
    return report;
}

}  // namespace

std::optional<PolicyRefreshReport> run_policy_refresh(const HealConfig& config,
                                                      const PolicyRefreshInput& input,
                                                      HealHistory& history, Journal& journal,
                                                      AgentAutomation& agent, TimePoint now) {
    history.credential_streak = input.credential_not_applied ? history.credential_streak + 1 : 0;
    if (!config.policy_refresh) {
        return std::nullopt;
    }
    std::optional<PolicyRefreshReport> verified;
    if (!input.dry_run) {
        verified = verify_request(config, input, history, journal, now);
    }
    const bool credential = history.credential_streak >= config.confirm_cycles;
    if (!credential && !input.acl_repair_pending) {
        return verified;
    }
    const std::string reason =
        credential ? "the evidence points to credential_not_applied on " +
                         std::to_string(history.credential_streak) + " cycles (" +
                         input.diagnosis_summary + ")"
                   : std::string(
                         "acl.repair would edit a package folder's DACL, which the agent "
                         "manages itself: its policies first");
    if (history.policy_refreshed &&
        now - *history.policy_refreshed < config.policy_refresh_interval) {
        if (verified) {
            return verified;  // this cycle's news: the earlier request's verdict
        }
        const auto next = *history.policy_refreshed + config.policy_refresh_interval;
        return PolicyRefreshReport{"waiting", history.policy_action,
                                   "the agent was asked to apply its policies again at " +
                                       format_utc(*history.policy_refreshed) +
                                       "; not again before " + format_utc(next),
                                   std::nullopt, history.policy_refreshed};
    }
    if (input.dry_run) {
        return PolicyRefreshReport{"planned", "",
                                   "would ask the agent to apply its policies again: " + reason,
                                   std::nullopt, history.policy_refreshed};
    }

    PolicyRefreshReport report{"", journal.next_action_id(kPolicyActionTag, now), "", std::nullopt,
                               now};
    IntentEvent intent;
    intent.kind = ActionKind::policy_refresh;
    intent.reason = reason;
    if (auto written = journal.append(report.action_id, std::move(intent), now); !written) {
        report.result = "failed";
        report.detail = "not asked: cannot write the journal: " + written.error().message;
        return report;
    }
    const ComOutcome outcome = agent.refresh_policies();
    report.hresult = outcome.hresult;
    report.result = outcome.ok() ? "requested" : "failed";
    report.detail = outcome.ok()
                        ? "UpdatePolicies(1) and ClientPolicyMgr.Refresh() returned S_OK: " + reason
                        : outcome.message;
    if (auto written =
            journal.append(report.action_id,
                           OutcomeEvent{outcome.ok() ? Outcome::agent_requested : Outcome::failed,
                                        report.detail, format_hresult(outcome.hresult)},
                           now);
        !written) {
        report.detail += " (not journaled: " + written.error().message + ")";
    }
    // A failed request counts too: asking a broken agent every cycle would only flood the log.
    history.policy_refreshed = now;
    history.policy_action = outcome.ok() ? report.action_id : std::string();
    history.cycles_since_policy_refresh = 0;
    return report;
}

std::vector<RecoveryOutcome> recover_policy_refresh(HealHistory& history, Journal& journal,
                                                    TimePoint now) {
    std::vector<RecoveryOutcome> outcomes;
    for (const auto& action : journal.actions()) {
        if (action.kind != ActionKind::policy_refresh ||
            action.result != ActionResult::in_progress) {
            continue;
        }
        std::string detail =
            "interrupted; closed at start: the agent may or may not have been asked to apply its "
            "policies (" +
            action.reason + ")";
        if (auto written = journal.append(action.id, OutcomeEvent{Outcome::failed, detail}, now);
            !written) {
            detail += "; the journal could not record this (" + written.error().message +
                      "): the next start does it again";
        }
        if (!history.policy_refreshed || *history.policy_refreshed < action.time) {
            history.policy_refreshed = action.time;
        }
        outcomes.push_back({action.id, detail, {}, false});
    }
    return outcomes;
}

std::optional<std::string> acl_repair_waits_for_policies(const HealConfig& config,
                                                         const HealHistory& history,
                                                         TimePoint now) {
    if (!config.policy_refresh) {
        return std::nullopt;
    }
    if (!history.policy_refreshed || *history.policy_refreshed >= now) {
        return "the agent is asked to apply its policies first (heal.policy_refresh): the DACL "
               "is repaired only if the finding is still there in a later cycle";
    }
    return std::nullopt;
}

}  // namespace psguard
