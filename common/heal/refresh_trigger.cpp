#include "heal/refresh_trigger.hpp"

#include "platform/process_runner.hpp"

namespace psguard {
namespace {

struct Attempt {
    RefreshStep step;
    RefreshEvent event;  // what the journal records of this attempt
};

Attempt ask_agent(AgentAutomation& agent) {
    const ComOutcome outcome = agent.resend_package_status();
    Attempt attempt{{RefreshTrigger::agent, outcome.ok(), {}, outcome.hresult}, {}};
    attempt.step.detail = outcome.ok() ? "the agent's RefreshPackages() and "
                                         "ResendPackagesStatus() returned S_OK"
                                       : outcome.message;
    attempt.event.agent =
        AgentCall{format_hresult(outcome.hresult), outcome.ok() ? "" : to_string(outcome.failure)};
    return attempt;
}

Attempt run_command(const HealConfig& config, const std::filesystem::path& scratch,
                    const std::stop_token& stop) {
    Attempt attempt{{RefreshTrigger::command, false, {}, std::nullopt}, {}};
    if (config.refresh_command.empty()) {
        attempt.step.detail = "no heal.refresh_command configured";
        return attempt;
    }
    auto outcome = run_process(config.refresh_command, config.refresh_timeout, scratch, stop);
    if (!outcome) {
        attempt.step.detail = "refresh command failed to start: " + outcome.error().message;
    } else if (outcome->stopped) {
        attempt.step.detail = "refresh command cut short: psguard is stopping";
    } else if (outcome->timed_out) {
        attempt.step.detail =
            "refresh command killed after " + std::to_string(config.refresh_timeout.count()) + " s";
    } else {
        attempt.step.ok = outcome->exit_code == 0;
        attempt.step.detail = "refresh command exited " + std::to_string(*outcome->exit_code);
    }
    attempt.event.run =
        RefreshRun{config.refresh_command, outcome ? outcome->exit_code : std::nullopt,
                   outcome ? outcome->output : std::string()};
    return attempt;
}

Attempt restart(const HealConfig& config, const std::filesystem::path& scratch,
                const std::stop_token& stop) {
    Attempt attempt{{RefreshTrigger::restart_service, false, {}, std::nullopt}, {}};
    if (config.restart_service.empty()) {
        attempt.step.detail = "no heal.restart_service configured";
        return attempt;
    }
    auto restarted = restart_service(config.restart_service, config.refresh_timeout,
                                     scratch.parent_path(), stop);
    attempt.step.ok = restarted.ok();
    attempt.step.detail =
        restarted ? "restarted service " + config.restart_service : restarted.error().message;
    attempt.event.service = config.restart_service;
    return attempt;
}

}  // namespace

std::string RefreshOutcome::summary() const {
    std::string text = steps_summary();
    if (unrecorded) {
        text += " (not journaled: " + *unrecorded + ")";
    }
    return text;
}

std::string RefreshOutcome::steps_summary() const {
    if (steps.empty()) {
        return "no re-report trigger configured (heal.refresh): the agent re-reports at its next "
               "scheduled refresh";
    }
    if (steps.size() == 1) {
        return steps.front().detail;
    }
    std::string text;
    for (const auto& step : steps) {
        text += (text.empty() ? "" : "; fell back to ") + std::string(to_string(step.trigger)) +
                ": " + step.detail;
    }
    return text;
}

RefreshOutcome trigger_refresh(const HealConfig& config, AgentAutomation& agent, Journal& journal,
                               const std::vector<std::string>& action_ids,
                               const std::filesystem::path& scratch, TimePoint now,
                               const std::stop_token& stop) {
    RefreshOutcome outcome;
    for (const RefreshTrigger trigger : config.refresh) {
        if (stop.stop_requested() && !outcome.steps.empty()) {
            break;  // the agent is stopping: no fallback
        }
        Attempt attempt = trigger == RefreshTrigger::agent     ? ask_agent(agent)
                          : trigger == RefreshTrigger::command ? run_command(config, scratch, stop)
                                                               : restart(config, scratch, stop);
        attempt.event.summary = attempt.step.detail;
        attempt.event.trigger = trigger;
        attempt.event.ok = attempt.step.ok;
        for (const auto& id : action_ids) {
            // The attempt happened either way; a record the journal cannot take is said in the
            // summary (and reported as a finding by the journal's notices).
            if (auto written = journal.append(id, attempt.event, now); !written) {
                outcome.unrecorded = written.error().message;
            }
        }
        outcome.steps.push_back(std::move(attempt.step));
        if (outcome.steps.back().ok) {
            break;
        }
    }
    return outcome;
}

}  // namespace psguard
