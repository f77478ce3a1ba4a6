// What the agent publishes after every cycle, for the status endpoint and `psguard status`:
// an immutable value, swapped atomically, so readers never wait for a cycle. The cycle's report
// stays typed here; JSON is made only by the endpoint, once per snapshot (RenderCache).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <vector>

#include "core/utc_time.hpp"
#include "heal/journal_record.hpp"

namespace psguard {

// What started a cycle.
enum class CycleTrigger { start, timer, file_change, endpoint, rescan, reload };

// The name in /v1/status, the log and the psguard_cycles_total label.
constexpr const char* to_string(CycleTrigger trigger) {
    switch (trigger) {
        case CycleTrigger::timer:
            return "timer";
        case CycleTrigger::file_change:
            return "file_change";
        case CycleTrigger::endpoint:
            return "endpoint";
        case CycleTrigger::rescan:
            return "rescan";
        case CycleTrigger::reload:
            return "reload";
        case CycleTrigger::start:
            break;
    }
    return "start";
}

// What became of a heal action, as psguard_heal_actions_total counts it: its outcome, then
// whether the package turned healthy.
enum class HealActionResult { done, failed, verified, verify_failed };

// The psguard_heal_actions_total label.
constexpr const char* to_string(HealActionResult result) {
    switch (result) {
        case HealActionResult::failed:
            return "failed";
        case HealActionResult::verified:
            return "verified";
        case HealActionResult::verify_failed:
            return "verify_failed";
        case HealActionResult::done:
            break;
    }
    return "done";
}

struct CycleSummary {
    TimePoint finished;
    std::chrono::milliseconds duration{0};
    int exit_code = 0;  // as `psguard check`: 0 healthy, 1 findings, 3 NS unusable
    CycleTrigger trigger = CycleTrigger::start;
    std::string scan;  // "full" or "incremental (N packages)"
};

struct CheckReport;

// The endpoint's documents rendered from one snapshot: each rendered by the first request that
// wants it, then served as these bytes for as long as the snapshot is the published one (and
// freed with it). A copy of a snapshot is another snapshot: it starts with nothing rendered.
class RenderCache {
  public:
    enum Document : std::size_t { status, packages, metrics, journal, kDocuments };

    RenderCache() = default;
    RenderCache(const RenderCache&) noexcept {}
    RenderCache& operator=(const RenderCache&) = delete;

    // The bytes of `document`, from `render()` the first time; a render that throws is retried by
    // the next call. A second caller during a render waits for it and does not render again. Not
    // std::call_once: libstdc++'s rests on pthread_once, which an exception leaves locked under
    // ThreadSanitizer's interceptor, so the retry waited forever (seen in CI).
    template <typename Render>
    const std::string& get(Document document, Render&& render) const {
        if (rendered(document)) {
            return *bytes_[document];
        }
        std::lock_guard lock(locks_[document]);
        if (!bytes_[document]) {
            bytes_[document] = render();
            ready_[document].store(true, std::memory_order_release);
        }
        return *bytes_[document];  // never changed once set: readable after the lock is released
    }

    // Whether get(document) returns at once. Never waits, not even for a render in progress: the
    // status server asks this on its strand to decide where a request's render runs.
    bool rendered(Document document) const {
        return ready_[document].load(std::memory_order_acquire);
    }

  private:
    mutable std::array<std::mutex, kDocuments> locks_;
    mutable std::array<std::optional<std::string>, kDocuments> bytes_;
    mutable std::array<std::atomic<bool>, kDocuments> ready_{};  // bytes_ is set (release)
};

struct AgentSnapshot {
    std::string version;
    TimePoint started;
    std::chrono::minutes interval{15};
    bool heal_enabled = false;
    std::optional<CycleSummary> last_cycle;
    bool cycle_running = false;  // a cycle is in flight: published as it starts, cleared at its end
    std::shared_ptr<const CheckReport> report;    // the last cycle's; null before the first
    std::vector<ActionSummary> journal;           // the journal's recent actions, newest last
    std::map<std::string, std::string> settings;  // effective settings worth showing (no secrets)

    // Counters since start (Prometheus counters).
    std::uint64_t cycles_total = 0;
    // Only what happened at least once has an entry (a series appears when first counted).
    std::map<CycleTrigger, std::uint64_t> cycles_by_trigger;
    std::map<HealActionResult, std::uint64_t> heal_actions_total;
    std::uint64_t ns_failures_total = 0;
    std::uint64_t file_events_total = 0;
    std::uint64_t full_rescans_total = 0;
    std::uint64_t incremental_scans_total = 0;  // cycles that re-scanned changed packages only

    RenderCache rendered;  // the endpoint's documents of this snapshot (endpoint/status_views)
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
