#include "agent/agent_loop.hpp"

#include "core/utf8_path.hpp"
#include "cycle/check_cycle.hpp"
#include "cycle/state_dir.hpp"
#include "local/scan_cache.hpp"
#include "ns/ns_client.hpp"
#include "platform/freed_heap.hpp"

namespace psguard {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::map<std::string, std::string> visible_settings(const Config& config) {
    return {{"server", config.server_name},
            {"ns_url", config.ns.url},
            {"report_guid", config.ns.report_guid},
            {"credential_account", config.credential_account},
            {"package_delivery", path_to_utf8(config.paths.package_delivery)},
            {"package_status", path_to_utf8(config.paths.package_status)},
            {"state_dir", path_to_utf8(config.paths.state_dir)},
            {"listen", config.endpoint.bind_address + ":" + std::to_string(config.endpoint.port)},
            {"heal_mode", config.heal.mode == HealMode::quarantine ? "quarantine" : "delete"}};
}

}  // namespace

CycleTrigger AgentLoop::trigger_of(Wake wake) {
    switch (wake) {
        case Wake::timer:
            return CycleTrigger::timer;
        case Wake::file_change:
            return CycleTrigger::file_change;
        case Wake::endpoint:
            return CycleTrigger::endpoint;
        case Wake::rescan:
            return CycleTrigger::rescan;
        case Wake::reload:
            return CycleTrigger::reload;
        case Wake::none:
        case Wake::stop:
            break;
    }
    return CycleTrigger::start;
}

AgentLoop::AgentLoop(Config config, LoopTiming timing, CycleObserver observer,
                     NsClientFactory make_ns)
    : config_(std::move(config)),
      timing_(timing),
      observer_(std::move(observer)),
      make_ns_(make_ns ? std::move(make_ns) : NsClientFactory(make_ns_client)),
      symantec_agent_(make_agent_automation(config_.heal.refresh_timeout)) {
    auto first = std::make_shared<AgentSnapshot>();
    first->version = PSGUARD_VERSION;
    first->started = now_seconds();
    first->interval = std::chrono::duration_cast<std::chrono::minutes>(timing_.interval);
    first->heal_enabled = config_.heal.enabled;
    first->settings = visible_settings(config_);
    snapshot_ = std::move(first);
}

std::shared_ptr<const AgentSnapshot> AgentLoop::snapshot() const {
    std::lock_guard lock(mutex_);
    return snapshot_;
}

TriggerResult AgentLoop::request_cycle() {
    {
        std::lock_guard lock(mutex_);
        if (running_ || endpoint_request_) {
            return TriggerResult::busy;
        }
        endpoint_request_ = true;
        ++generation_;
    }
    wake_.notify_all();
    return TriggerResult::accepted;
}

bool AgentLoop::healthy(TimePoint now) const {
    std::lock_guard lock(mutex_);
    if (stop_request_) {
        return false;
    }
    const auto limit = 3 * timing_.interval;
    if (!snapshot_->last_cycle) {
        // Not one cycle yet: healthy while still within the first window.
        return now - snapshot_->started <= limit;
    }
    return now - snapshot_->last_cycle->finished <= limit;
}

void AgentLoop::notify_file_change(const std::filesystem::path& changed) {
    {
        std::lock_guard lock(mutex_);
        if (auto package = package_of_change(config_.paths, changed)) {
            changes_.packages.insert(package->id);
            changes_.folder_names.insert(package->folder_name);
        } else {
            changes_.everything = true;
        }
        debounce_deadline_ = SteadyClock::now() + timing_.debounce;
        ++generation_;
    }
    wake_.notify_all();
}

void AgentLoop::notify_full_rescan() {
    {
        std::lock_guard lock(mutex_);
        rescan_request_ = true;
        ++generation_;
    }
    wake_.notify_all();
}

void AgentLoop::reload(Config config) {
    {
        std::lock_guard lock(mutex_);
        pending_config_ = std::move(config);
        ++generation_;
    }
    wake_.notify_all();
}

void AgentLoop::stop() {
    {
        std::lock_guard lock(mutex_);
        stop_request_ = true;
        ++generation_;
    }
    stop_source_.request_stop();
    wake_.notify_all();
}

bool AgentLoop::wait_before_retry(std::chrono::milliseconds delay) {
    std::unique_lock lock(mutex_);
    const bool interrupted = wake_.wait_until(lock, SteadyClock::now() + delay, [this] {
        return stop_request_ || pending_config_.has_value();
    });
    if (interrupted && !stop_request_) {
        retries_cut_by_reload_ = true;
    }
    return !interrupted;
}

AgentLoop::Wake AgentLoop::wait_for_work() {
    std::unique_lock lock(mutex_);
    for (;;) {
        if (stop_request_) {
            return Wake::stop;
        }
        if (reload_request_) {
            reload_request_ = false;
            return Wake::reload;
        }
        if (endpoint_request_) {
            endpoint_request_ = false;
            return Wake::endpoint;
        }
        if (rescan_request_) {
            rescan_request_ = false;
            debounce_deadline_.reset();
            return Wake::rescan;
        }
        const auto now = SteadyClock::now();
        if (debounce_deadline_ && now >= *debounce_deadline_) {
            debounce_deadline_.reset();
            return Wake::file_change;
        }
        if (now >= next_timer_) {
            return Wake::timer;
        }
        auto deadline = next_timer_;
        if (debounce_deadline_) {
            deadline = std::min(deadline, *debounce_deadline_);
        }
        // Sleeps until the deadline or a notification (any change of the generation, stop()
        // included).
        const auto seen = generation_;
        wake_.wait_until(lock, deadline, [&] { return generation_ != seen; });
    }
}

void AgentLoop::run_one_cycle(StateDir& state, ScanCache& scans, Wake reason) {
    Config config;
    PendingChanges changes;
    {
        std::lock_guard lock(mutex_);
        if (pending_config_) {
            config_ = std::move(*pending_config_);
            pending_config_.reset();
            acl_reusable_ = false;  // another account or other required rights: check everything
            changes_.everything = true;
        }
        config = config_;
        changes = std::exchange(changes_, {});
        running_ = true;
        // Published at once: /v1/status and psguard_cycle_running show the cycle in flight.
        auto running = std::make_shared<AgentSnapshot>(*snapshot_);
        running->cycle_running = true;
        snapshot_ = std::move(running);
    }
    const auto started = SteadyClock::now();
    // Only a cycle woken by file changes that name their packages re-scans just those; every
    // other cycle (timer, endpoint, lost events, start) reads the whole tree again.
    const bool incremental = reason == Wake::file_change && !changes.everything;
    const LocalScan& local = incremental ? scans.refresh(config.paths, config.parse,
                                                         changes.packages, changes.folder_names)
                                         : scans.full(config.paths, config.parse);
    CheckReport result;
    // The NS client is built per cycle: a reloaded configuration or a new password applies.
    auto ns = make_ns_(
        config, [this](std::chrono::milliseconds delay) { return wait_before_retry(delay); });
    if (ns) {
        CycleOptions options;
        options.heal = config.heal.enabled;
        options.local = &local;
        options.agent = symantec_agent_.get();
        options.stop = stop_source_.get_token();
        // The last published report's ACL results and verdicts, judged from the scan before
        // this refresh (every cycle scans once and publishes once): not copied to be kept.
        const auto last = snapshot();
        if (incremental && last->report) {
            options.changed_packages = &changes.packages;
            options.previous_verdicts = &last->report->packages;
            if (acl_reusable_ && last->report->acl) {
                options.previous_acl = &*last->report->acl;
            }
        }
        result = run_cycle(config, **ns, state, options, now_seconds());
    } else {
        result.server = config.server_name;
        result.ns.url = config.ns.url;
        result.ns.error = ns.error().message;
        result.ns.failure = NsFailure::configuration;
    }
    const auto duration =
        std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started);
    acl_reusable_ = true;
    // Published as it is: the endpoint renders its documents from it (once per snapshot).
    const auto report = std::make_shared<const CheckReport>(std::move(result));

    const CycleTrigger trigger = trigger_of(reason);
    auto next = std::make_shared<AgentSnapshot>(*snapshot());
    next->cycle_running = false;
    next->heal_enabled = config.heal.enabled;
    next->settings = visible_settings(config);
    next->last_cycle = CycleSummary{
        now_seconds(), duration, report->exit_code(), trigger,
        scans.last_was_full()
            ? std::string("full")
            : "incremental (" + std::to_string(changes.packages.size()) + " packages)"};
    next->report = report;
    next->journal = state.journal().actions();
    ++next->cycles_total;
    ++next->cycles_by_trigger[trigger];
    if (reason == Wake::rescan) {
        ++next->full_rescans_total;
    }
    if (reason == Wake::file_change) {
        ++next->file_events_total;
    }
    if (!scans.last_was_full()) {
        ++next->incremental_scans_total;
    }
    if (report->heal) {
        auto& heal_totals = next->heal_actions_total;
        for (const auto& action : report->heal->actions) {
            // Planned is a dry run's, which the loop never makes.
            if (action.result != ActionOutcome::planned) {
                ++heal_totals[action.result == ActionOutcome::done ? HealActionResult::done
                                                                   : HealActionResult::failed];
            }
        }
        // An entry only once counted: its series appears with the first one.
        if (!report->heal->verified.empty()) {
            heal_totals[HealActionResult::verified] += report->heal->verified.size();
        }
        if (!report->heal->verify_failed.empty()) {
            heal_totals[HealActionResult::verify_failed] += report->heal->verify_failed.size();
        }
    }
    if (!report->ns.usable) {
        ++next->ns_failures_total;
    }
    {
        std::lock_guard lock(mutex_);
        running_ = false;
        snapshot_ = next;
        // Bounded backoff after an NS failure: retry sooner than the interval, doubling.
        ns_failures_ = report->ns.usable ? 0 : ns_failures_ + 1;
        auto wait = timing_.interval;
        if (ns_failures_ > 0) {
            const auto backoff = timing_.ns_backoff_first * (1LL << std::min(ns_failures_ - 1, 10));
            wait = std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(backoff));
        }
        next_timer_ = SteadyClock::now() + wait;
        // The reload cut this cycle's NS retries short: the new configuration asks again now.
        reload_request_ = std::exchange(retries_cut_by_reload_, false);
    }
    if (observer_) {
        observer_(*next);
    }
}

Status AgentLoop::run(std::stop_token stop) {
    Config config;
    {
        std::lock_guard lock(mutex_);
        config = config_;
    }
    auto state = StateDir::open(config.paths.state_dir);
    if (!state) {
        return state.error();
    }
    // The owner's stop token (the host's jthread) stops the loop as stop() does.
    const std::stop_callback on_stop(stop, [this] { this->stop(); });
    ScanCache scans;
    keep_large_blocks_out_of_the_heap();
    run_one_cycle(**state, scans, Wake::none);  // the first cycle at start
    return_freed_heap();
    for (;;) {
        const Wake reason = wait_for_work();
        if (reason == Wake::stop) {
            return {};
        }
        run_one_cycle(**state, scans, reason);
        return_freed_heap();  // what only the cycle needed is destroyed by now
    }
}

}  // namespace psguard
