// The agent's published state after a few cycles, around a given report: what the endpoint's
// unit tests and its fuzz target both serve. Header-only, so that the fuzz build (which links
// none of the test libraries) can use it too.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "agent/agent_snapshot.hpp"
#include "cycle/check_report.hpp"

namespace psguard::test {

// Three cycles (one at start, two by the timer), the last a full scan ending 60 s after
// `started` with findings; one NS failure; one heal action on `healed_package`, done and
// verified.
inline std::shared_ptr<AgentSnapshot> sample_agent_snapshot(
    TimePoint started, std::shared_ptr<const CheckReport> report, std::string healed_package) {
    auto snapshot = std::make_shared<AgentSnapshot>();
    snapshot->version = "0.1.0";
    snapshot->started = started;
    snapshot->interval = std::chrono::minutes(15);
    snapshot->heal_enabled = true;
    snapshot->last_cycle =
        CycleSummary{started + std::chrono::seconds(60), std::chrono::milliseconds(2500),
                     kExitFindings, CycleTrigger::timer, "full"};
    snapshot->report = std::move(report);
    ActionSummary action;
    action.id = "20261126T063000Z-6d417916-1";
    action.time = started + std::chrono::seconds(30);
    action.package = std::move(healed_package);
    action.reason = "stale_on_ns";
    action.result = ActionResult::verified;
    snapshot->journal = {action};
    snapshot->settings = {{"server", "PS01"}, {"ns_url", "https://ns.example.com"}};
    snapshot->cycles_total = 3;
    snapshot->cycles_by_trigger = {{CycleTrigger::start, 1}, {CycleTrigger::timer, 2}};
    snapshot->heal_actions_total = {{HealActionResult::done, 1}, {HealActionResult::verified, 1}};
    snapshot->ns_failures_total = 1;
    return snapshot;
}

}  // namespace psguard::test
