// The agent's life between cycles: one cycle at a time, on the interval timer, on file changes
// (debounced) and on request from the endpoint; no polling in between (the thread sleeps on a
// condition variable until the next deadline or event). NS failures shorten the next wait with
// a bounded backoff and never stop the loop. A stop or reload interrupts the NS client's retry
// back-off (same condition variable), and a stop kills a running refresh command.
#pragma once

#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>

#include "acl/acl_inspector.hpp"
#include "agent/agent_snapshot.hpp"
#include "agent_com/agent_com.hpp"
#include "config/config.hpp"
#include "core/result.hpp"
#include "ns/ns_client.hpp"

namespace psguard {

struct LoopTiming {
    std::chrono::milliseconds interval{15 * 60 * 1000};
    std::chrono::milliseconds debounce{2000};
    std::chrono::milliseconds ns_backoff_first{30 * 1000};
};

class AgentLoop final : public AgentControl {
  public:
    // Called after every cycle with the new snapshot (logging, Event Log, ...).
    using CycleObserver = std::function<void(const AgentSnapshot&)>;
    // Builds each cycle's NS client from that cycle's configuration. Default: make_ns_client;
    // the loop's unit tests pass one over a scripted transport.
    using NsClientFactory =
        std::function<Result<std::unique_ptr<NsClient>>(const Config&, RetryWait)>;

    AgentLoop(Config config, LoopTiming timing, CycleObserver observer = {},
              NsClientFactory make_ns = {});

    // Runs cycles until `stop` is requested (or stop() is called); returns an error only when
    // the loop cannot start (the state folder cannot be opened and locked).
    Status run(std::stop_token stop);

    // Thread-safe, from any thread:
    std::shared_ptr<const AgentSnapshot> snapshot() const override;
    TriggerResult request_cycle() override;
    bool healthy(TimePoint now) const override;
    // Debounced; the package `changed` belongs to is re-scanned alone (any other path: all).
    void notify_file_change(const std::filesystem::path& changed);
    void notify_full_rescan();  // the watcher lost events: rescan everything (no debounce)
    // Takes effect at the next cycle boundary; the caller validated it already.
    void reload(Config config);
    void stop();

  private:
    enum class Wake { none, timer, file_change, endpoint, rescan, reload, stop };

    static CycleTrigger trigger_of(Wake wake);
    Wake wait_for_work();
    // The NS client's wait between retries: false when a stop or reload cut it short.
    bool wait_before_retry(std::chrono::milliseconds delay);
    // What changed since the last cycle, as the watcher told it.
    struct PendingChanges {
        std::set<std::string> packages;
        std::set<std::filesystem::path> folder_names;  // as the watcher saw them
        bool everything = false;
    };

    void run_one_cycle(class StateDir& state, class ScanCache& scans, Wake reason);

    mutable std::mutex mutex_;
    std::condition_variable_any wake_;
    Config config_;
    std::optional<Config> pending_config_;
    LoopTiming timing_;
    CycleObserver observer_;
    NsClientFactory make_ns_;
    std::shared_ptr<const AgentSnapshot> snapshot_;
    bool endpoint_request_ = false;
    bool rescan_request_ = false;
    bool reload_request_ = false;  // a reload cut the last cycle's NS retries short: run again
    bool retries_cut_by_reload_ = false;
    PendingChanges changes_;
    bool stop_request_ = false;
    std::stop_source stop_source_;  // requested by stop(): kills a running refresh command
    std::optional<std::chrono::steady_clock::time_point> debounce_deadline_;
    std::chrono::steady_clock::time_point next_timer_;
    bool running_ = false;
    std::uint64_t generation_ = 0;  // bumped by every notification, so a waiter sees it
    int ns_failures_ = 0;
    // Loop thread only: incremental cycles reuse the ACL results of the last published report
    // (false after a reload: every folder is checked again).
    bool acl_reusable_ = false;
    // Loop thread only: one for the agent's life, so that a call abandoned on a hung Symantec
    // agent keeps later cycles from starting more.
    std::unique_ptr<AgentAutomation> symantec_agent_;
};

}  // namespace psguard
