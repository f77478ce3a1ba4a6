#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <iostream>

#include "agent_host.hpp"
#include "run_host.hpp"

namespace psguard {
namespace {

// Re-arms itself: SIGHUP may come many times.
void wait_for_signal(boost::asio::signal_set& signals, AgentHost& host) {
    signals.async_wait([&signals, &host](const boost::system::error_code& error, int number) {
        if (error) {
            return;
        }
        if (number == SIGHUP) {
            host.reload();
            wait_for_signal(signals, host);
            return;
        }
        host.stop();
    });
}

}  // namespace

int run_host(const ConfigSource& source) {
    auto host = AgentHost::create(source, /*log_to_stderr=*/true);
    if (!host) {
        std::cerr << host.error().message << '\n';
        return 2;
    }
    boost::asio::signal_set signals((*host)->io(), SIGINT, SIGTERM, SIGHUP);
    wait_for_signal(signals, **host);
    return (*host)->run();
}

}  // namespace psguard
