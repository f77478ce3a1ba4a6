#include "agent_host.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <future>

#include "core/utf8_path.hpp"
#include "cycle/check_report.hpp"
#include "cycle/state_dir.hpp"
#include "endpoint/status_views.hpp"
#include "logging/event_ids.hpp"
#include "logging/logging.hpp"
#include "platform/fault_point.hpp"
#include "platform/process_end.hpp"

namespace psguard {
namespace {

// A cycle in flight gets this long to finish after a stop; past it the process ends anyway,
// which the journal makes safe (the next start completes or rolls back an interrupted action).
constexpr auto kStopGrace = std::chrono::seconds(4);

std::string text_or(const std::string& text, const char* fallback) {
    return text.empty() ? std::string(fallback) : text;
}

// The heal phase's events: actions, ACL repairs, the breaker, failed verifications, triggers.
void log_heal(const HealReport& heal) {
    for (const auto& action : heal.actions) {
        const bool failed = action.result == ActionOutcome::failed;
        log_event(failed ? EventId::heal_failed : EventId::heal_action,
                  failed ? spdlog::level::err : spdlog::level::warn,
                  fmt::format("heal {} of package {}: {} ({})", to_string(action.result),
                              action.package, text_or(action.id, "-"), action.detail));
    }
    for (const auto& repair : heal.acl_repairs) {
        const bool failed = repair.result == "failed" || repair.result == "verify_failed";
        log_event(
            EventId::acl_repair, failed ? spdlog::level::err : spdlog::level::warn,
            fmt::format("ACL repair {} of {}: {}", repair.result, repair.path, repair.detail));
    }
    if (heal.breaker) {
        log_event(EventId::breaker_open, spdlog::level::err,
                  "mass-event breaker: " + *heal.breaker);
    }
    for (const auto& id : heal.verify_failed) {
        log_event(EventId::heal_failed, spdlog::level::warn,
                  fmt::format("heal action {} failed verification: the NS did not turn Ready", id));
    }
    // The re-report trigger: a trigger that failed is a warning (the next one was tried).
    for (const auto& step : heal.refresh_steps) {
        if (!step.ok) {
            spdlog::warn("re-report trigger {} failed: {}", to_string(step.trigger), step.detail);
        }
    }
    if (heal.policy_refresh) {
        spdlog::warn("agent policy refresh {}: {}", heal.policy_refresh->result,
                     heal.policy_refresh->detail);
    }
}

// One line per cycle, and the cycle's events, each under its Event Log ID (docs/windows-events.md):
// findings, NS unusable, ACL missing, heal actions and failures, ACL repairs, the breaker.
void log_cycle(const AgentSnapshot& snapshot) {
    if (!snapshot.last_cycle || !snapshot.report) {
        return;
    }
    const CheckReport& report = *snapshot.report;
    std::string summary;
    for (const auto& [verdict, count] : report.summary()) {
        summary += (summary.empty() ? "" : ", ") + std::to_string(count) + " " + verdict;
    }
    const std::string line = fmt::format(
        "cycle ({}) took {} ms, {} scan: {} packages{}{}; NS {}",
        to_string(snapshot.last_cycle->trigger), snapshot.last_cycle->duration.count(),
        snapshot.last_cycle->scan, report.packages.size(), summary.empty() ? "" : ": ", summary,
        report.ns.usable ? "ok" : "UNUSABLE: " + text_or(report.ns.error, "?"));
    if (!report.ns.usable) {
        log_event(EventId::ns_unusable, spdlog::level::err, line);
    } else if (snapshot.last_cycle->exit_code == kExitFindings) {
        log_event(EventId::cycle_findings, spdlog::level::warn, line);
    } else {
        spdlog::info("{}", line);
    }
    if (const AclSummary acl = acl_summary(&report); acl.ok == false) {
        std::string folders;
        for (const auto& path : acl.problems) {
            folders += (folders.empty() ? "" : ", ") + path;
        }
        log_event(EventId::acl_missing, spdlog::level::err,
                  fmt::format("the credential account {} lacks the rights it needs{}{}{}",
                              text_or(acl.account, "(unknown)"), folders.empty() ? "" : " on ",
                              folders, acl.note.empty() ? "" : " (" + acl.note + ")"));
    }
    if (report.heal) {
        log_heal(*report.heal);
    }
    for (const auto& finding : report.findings) {
        // The journal's own trouble (a torn line cut off, a record not written) is an error:
        // it reaches the Event Log on Windows.
        if (finding.kind == FindingKind::journal_repaired ||
            finding.kind == FindingKind::journal_not_written) {
            log_event(EventId::other, spdlog::level::err,
                      fmt::format("{}: {}", to_string(finding.kind), finding.detail));
        }
    }
    if (report.smp_report && report.smp_report->result == "failed") {
        spdlog::warn("fleet status NSE not sent: {}", report.smp_report->detail);
    }
    if (report.agent_view && !report.agent_view->note.empty()) {
        spdlog::info("agent's view: {}", report.agent_view->note);
    }
}

LoopTiming timing_of(const Config& config) {
    LoopTiming timing;
    timing.interval = config.agent.interval;
    timing.debounce = config.agent.debounce;
    return timing;
}

}  // namespace

AgentHost::AgentHost(LoggingSession logging, ConfigSource source, Config config)
    : logging_(std::move(logging)), source_(std::move(source)), config_(std::move(config)) {}

Result<std::unique_ptr<AgentHost>> AgentHost::create(ConfigSource source, bool log_to_stderr) {
    auto config = load_config(source);
    if (!config) {
        return config.error();
    }
    // Before the log folder inside it, so that psguard's own state folder is created private.
    if (auto folder = create_state_folder(config->paths.state_dir); !folder) {
        return folder.error();
    }
    LogConfig log;
    log.file = config->paths.state_dir / "logs" / "psguard.log";
    log.level = config->logging.level;
    log.max_file_bytes = config->logging.max_file_bytes;
    log.max_files = static_cast<std::size_t>(config->logging.max_files);
    log.to_stderr = log_to_stderr;
#ifdef _WIN32
    log.to_event_log = true;
#endif
    auto logging = setup_logging(log);
    if (!logging) {
        return logging.error();
    }
    std::unique_ptr<AgentHost> host(
        new AgentHost(std::move(logging).value(), std::move(source), *config));
    AgentHost* self = host.get();
    host->loop_ = std::make_unique<AgentLoop>(
        *config, timing_of(*config), [self](const AgentSnapshot& snapshot) {
            log_cycle(snapshot);
            if (self->watcher_) {
                self->watcher_->rearm();  // a root that came back is watched again
            }
        });
    auto watcher = DirectoryWatcher::start(
        {config->paths.package_delivery, config->paths.package_status},
        [self, lose_first = fault_enabled("watch:overflow")](const WatchEvent& event) mutable {
            if (event.kind == WatchEvent::Kind::overflow || lose_first) {
                lose_first = false;  // test builds: pretend the OS dropped the first events
                spdlog::info("file watch lost events: rescanning everything");
                self->loop_->notify_full_rescan();
            } else {
                spdlog::debug("changed: {}", path_to_utf8(event.path));
                self->loop_->notify_file_change(event.path);
            }
        });
    if (watcher) {
        host->watcher_ = std::move(watcher).value();
    } else {
        spdlog::warn("no file watching ({}): cycles run on the timer only",
                     watcher.error().message);
    }
    return host;
}

int AgentHost::run(const std::function<void()>& before_forced_exit) {
    log_event(
        EventId::service_started, spdlog::level::info,
        fmt::format("psguard {} starting: server {}, NS {}, every {} min, heal {}", PSGUARD_VERSION,
                    config_.server_name, config_.ns.url, config_.agent.interval.count(),
                    config_.heal.enabled ? "enabled" : "disabled"));
    server_ = std::make_unique<StatusServer>(io_, config_.endpoint, *loop_);
    if (auto port = server_->start(); port) {
        spdlog::info("status endpoint on {}://{}:{}/v1/status",
                     config_.endpoint.tls.enabled() ? "https" : "http",
                     config_.endpoint.bind_address, *port);
        if (config_.endpoint.tls.enabled()) {
            spdlog::info("endpoint certificate: {}", server_->tls_certificate());
        }
    } else {
        // The agent still does its job without its endpoint; /healthz consumers will notice.
        spdlog::error("status endpoint not started: {}", port.error().message);
        server_.reset();
    }
    std::promise<Status> loop_done;
    auto loop_result = loop_done.get_future();
    std::jthread loop_thread([this, &loop_done](std::stop_token stop) {
        loop_done.set_value(loop_->run(stop));
        // A loop that could not start ends the process too.
        boost::asio::post(io_, [this] { io_.stop(); });
    });
    auto work = boost::asio::make_work_guard(io_);
    io_.run();

    // The stop interrupts an NS retry back-off and kills a running refresh command.
    loop_->stop();
    loop_thread.request_stop();
    if (loop_result.wait_for(kStopGrace) != std::future_status::ready) {
        spdlog::warn(
            "a cycle is still running after {} s; exiting anyway (the journal makes "
            "this safe)",
            kStopGrace.count());
        // Other threads may still log: flush, but leave the loggers in place until the end.
        spdlog::default_logger()->flush();
        if (before_forced_exit) {
            before_forced_exit();
        }
        end_process_now(0);
    }
    loop_thread.join();
    // Join the watcher's thread (it logs file events) and drop the endpoint before logging
    // ends with ~AgentHost.
    watcher_.reset();
    server_.reset();
    const Status status = loop_result.get();
    if (!status) {
        spdlog::error("psguard could not start: {}", status.error().message);
        return 2;
    }
    log_event(EventId::service_stopped, spdlog::level::info, "psguard stopped");
    return 0;
}

void AgentHost::stop() {
    boost::asio::post(io_, [this] {
        if (server_) {
            server_->stop();
        }
        io_.stop();
    });
}

void AgentHost::reload() {
    boost::asio::post(io_, [this] {
        auto config = load_config(source_);
        if (!config) {
            spdlog::error("reload refused, keeping the running configuration: {}",
                          config.error().message);
            return;
        }
        config_ = *config;
        loop_->reload(std::move(config).value());
        spdlog::info("configuration reloaded from {}", path_to_utf8(source_.file));
        // A renewed certificate is served to new connections from now on.
        if (server_) {
            if (auto reloaded = server_->reload_tls(config_.endpoint.tls); !reloaded) {
                spdlog::error("endpoint TLS not reloaded: {}", reloaded.error().message);
            } else if (config_.endpoint.tls.enabled()) {
                spdlog::info("endpoint certificate: {}", server_->tls_certificate());
            }
        }
    });
}

}  // namespace psguard
