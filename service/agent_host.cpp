#include "agent_host.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <future>

#include "core/utf8_path.hpp"
#include "logging/logging.hpp"
#include "platform/fault_point.hpp"

namespace psguard {
namespace {

// A cycle in flight gets this long to finish after a stop; past it the process ends anyway,
// which the journal makes safe (the next start completes or rolls back an interrupted action).
constexpr auto kStopGrace = std::chrono::seconds(4);

void log_cycle(const AgentSnapshot& snapshot) {
    if (!snapshot.last_cycle) {
        return;
    }
    const auto& report = snapshot.report;
    std::string summary;
    for (const auto& [verdict, count] : report["summary"].items()) {
        summary += (summary.empty() ? "" : ", ") + std::to_string(count.get<int>()) + " " + verdict;
    }
    spdlog::info("cycle ({}) took {} ms, {} scan: {} packages{}{}; NS {}",
                 snapshot.last_cycle->trigger, snapshot.last_cycle->duration.count(),
                 snapshot.last_cycle->scan, report["packages"].size(), summary.empty() ? "" : ": ",
                 summary,
                 report["ns"]["usable"].get<bool>()
                     ? "ok"
                     : "UNUSABLE: " + report["ns"]["error"].get<std::string>());
    for (const auto& action : report["actions"]) {
        // Every heal action is a warning: it reaches the Event Log on Windows.
        spdlog::warn("heal {} of package {}: {} ({})", action["result"].get<std::string>(),
                     action["package"].get<std::string>(),
                     action["id"].is_string() ? action["id"].get<std::string>() : "-",
                     action["detail"].get<std::string>());
    }
    if (report["heal"].is_object()) {
        for (const auto& repair : report["heal"]["acl_repairs"]) {
            // Every change of permissions is a warning: it reaches the Event Log on Windows.
            spdlog::warn("ACL repair {} of {}: {}", repair["result"].get<std::string>(),
                         repair["path"].get<std::string>(), repair["detail"].get<std::string>());
        }
    }
    if (report["heal"].is_object() && report["heal"]["breaker"].is_string()) {
        spdlog::error("mass-event breaker: {}", report["heal"]["breaker"].get<std::string>());
    }
    if (report["heal"].is_object()) {
        for (const auto& id : report["heal"]["verify_failed"]) {
            spdlog::warn("heal action {} failed verification", id.get<std::string>());
        }
    }
}

LoopTiming timing_of(const Config& config) {
    LoopTiming timing;
    timing.interval = config.agent.interval;
    timing.debounce = config.agent.debounce;
    return timing;
}

}  // namespace

AgentHost::AgentHost(ConfigSource source, Config config)
    : source_(std::move(source)), config_(std::move(config)) {}

Result<std::unique_ptr<AgentHost>> AgentHost::create(ConfigSource source, bool log_to_stderr) {
    auto config = load_config(source);
    if (!config) {
        return config.error();
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
    if (auto logging = setup_logging(log); !logging) {
        return logging.error();
    }
    std::unique_ptr<AgentHost> host(new AgentHost(std::move(source), *config));
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

int AgentHost::run() {
    spdlog::info("psguard {} starting: server {}, NS {}, every {} min, heal {}", PSGUARD_VERSION,
                 config_.server_name, config_.ns.url, config_.agent.interval.count(),
                 config_.heal.enabled ? "enabled" : "disabled");
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

    loop_->stop();
    loop_thread.request_stop();
    if (loop_result.wait_for(kStopGrace) != std::future_status::ready) {
        spdlog::warn(
            "a cycle is still running after {} s; exiting anyway (the journal makes "
            "this safe)",
            kStopGrace.count());
        spdlog::shutdown();
        std::_Exit(0);
    }
    loop_thread.join();
    const Status status = loop_result.get();
    if (!status) {
        spdlog::error("psguard could not start: {}", status.error().message);
        spdlog::shutdown();
        return 2;
    }
    spdlog::info("psguard stopped");
    spdlog::shutdown();
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
