// The re-report trigger after a heal: the configured triggers (heal.refresh) in order, each one
// tried only when the one before it failed, every attempt journaled on each healed action with
// its result (the HRESULT and message of a COM call, the exit code and output of a command).
#pragma once

#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "agent_com/agent_com.hpp"
#include "core/utc_time.hpp"
#include "heal/heal_config.hpp"
#include "heal/journal.hpp"

namespace psguard {

struct RefreshStep {
    RefreshTrigger trigger;
    bool ok = false;
    std::string detail;                   // what happened, in one line
    std::optional<std::int32_t> hresult;  // agent: the call's HRESULT
};

struct RefreshOutcome {
    std::vector<RefreshStep> steps;  // in the order tried; the last one is the one that counted
    std::optional<std::string> unrecorded;  // why the journal could not record an attempt
    bool ok() const { return !steps.empty() && steps.back().ok; }
    // One trigger: what it did. Several: "agent: ...; fell back to command: ...".
    std::string summary() const;

  private:
    std::string steps_summary() const;
};

// Runs the triggers of `config.refresh` until one succeeds, and journals every step on each of
// `action_ids`. `scratch` receives a command's output. `stop` (the agent stopping) kills a
// running command with what it started, ends the wait for a service restart and tries no
// further trigger.
RefreshOutcome trigger_refresh(const HealConfig& config, AgentAutomation& agent, Journal& journal,
                               const std::vector<std::string>& action_ids,
                               const std::filesystem::path& scratch, TimePoint now,
                               const std::stop_token& stop = {});

}  // namespace psguard
