// The long-running psguard: the agent loop on its own thread, the status endpoint and the
// process's stop/reload controls on an io_context. Shared by `psguard run` (console, systemd)
// and the Windows service; each wires its own stop and reload signals to stop() and reload().
#pragma once

#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

#include "agent/agent_loop.hpp"
#include "commands/config_source.hpp"
#include "config/config.hpp"
#include "core/result.hpp"
#include "endpoint/status_server.hpp"
#include "logging/logging.hpp"
#include "platform/directory_watcher.hpp"

namespace psguard {

class AgentHost {
  public:
    // Loads and validates the configuration (file, installer properties, --set) and sets up
    // logging; an error is a start-up
    // failure (exit code 2: the SCM's recovery actions and systemd's Restart= see it).
    static Result<std::unique_ptr<AgentHost>> create(ConfigSource source, bool log_to_stderr);

    boost::asio::io_context& io() { return io_; }

    // Blocks until stop(); returns the exit code. Every thread it started (the loop, the
    // watcher, the endpoint's handlers) has ended when it returns.
    //
    // A cycle still running past the stop's grace is not waited for: the process ends at once
    // with exit code 0 (the journal makes that safe) and run() does not return. Just before,
    // `before_forced_exit` is called: the Windows service reports SERVICE_STOPPED there, or the
    // SCM would take the ended process for a crash (Windows: event 7034, and the recovery
    // actions restart it; Wine's services.exe: still STOP_PENDING 20 s later).
    int run(const std::function<void()>& before_forced_exit = {});
    // Thread-safe.
    void stop();
    // Re-reads the configuration file; an invalid file keeps the running configuration and
    // logs why. Thread-safe.
    void reload();

  private:
    AgentHost(LoggingSession logging, ConfigSource source, Config config);

    // First member, so destroyed last: after every thread that logs has been joined.
    LoggingSession logging_;
    ConfigSource source_;
    Config config_;
    boost::asio::io_context io_;
    std::unique_ptr<AgentLoop> loop_;
    std::unique_ptr<DirectoryWatcher> watcher_;
    std::unique_ptr<StatusServer> server_;
};

}  // namespace psguard
