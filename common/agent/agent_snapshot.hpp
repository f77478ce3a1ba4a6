// What the agent publishes after every cycle, for the status endpoint and `psguard status`:
// an immutable value, swapped atomically, so readers never wait for a cycle.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/utc_time.hpp"

namespace psguard {

struct CycleSummary {
    TimePoint finished;
    std::chrono::milliseconds duration{0};
    int exit_code = 0;    // as `psguard check`: 0 healthy, 1 findings, 3 NS unusable
    std::string trigger;  // "timer", "file_change", "endpoint", "rescan", "reload", "start"
    std::string scan;     // "full" or "incremental (N packages)"
};

struct AgentSnapshot {
    std::string version;
    TimePoint started;
    std::chrono::minutes interval{15};
    bool heal_enabled = false;
    std::optional<CycleSummary> last_cycle;
    bool cycle_running = false;  // a cycle is in flight: published as it starts, cleared at its end
    nlohmann::json report = nullptr;                   // to_json(CheckReport) of the last cycle
    nlohmann::json journal = nlohmann::json::array();  // to_json(ActionSummary), newest last
    std::map<std::string, std::string> settings;  // effective settings worth showing (no secrets)

    // Counters since start (Prometheus counters).
    std::uint64_t cycles_total = 0;
    std::map<std::string, std::uint64_t> cycles_by_trigger;
    std::map<std::string, std::uint64_t> heal_actions_total;  // by result: done, failed, ...
    std::uint64_t ns_failures_total = 0;
    std::uint64_t file_events_total = 0;
    std::uint64_t full_rescans_total = 0;
    std::uint64_t incremental_scans_total = 0;  // cycles that re-scanned changed packages only
};

enum class TriggerResult { accepted, busy };

// What the status endpoint needs from the agent; implemented by the agent loop (and by fakes in
// the endpoint's own tests, where the loop is not the subject).
class AgentControl {
  public:
    virtual ~AgentControl() = default;
    virtual std::shared_ptr<const AgentSnapshot> snapshot() const = 0;
    // Starts a cycle now; `busy` when one is running (the endpoint answers 409).
    virtual TriggerResult request_cycle() = 0;
    // Alive: the loop runs and its last cycle is younger than 3 intervals.
    virtual bool healthy(TimePoint now) const = 0;
};

}  // namespace psguard
