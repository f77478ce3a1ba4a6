#include <windows.h>

#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <iostream>

#include "agent_host.hpp"
#include "run_host.hpp"
#include "windows_service.hpp"

namespace psguard {

int run_host(const ConfigSource& source) {
    // Started by the SCM: become the service. Otherwise run in the console.
    if (auto service_exit = run_as_windows_service(source)) {
        return *service_exit;
    }
    auto host = AgentHost::create(source, /*log_to_stderr=*/true);
    if (!host) {
        std::cerr << host.error().message << '\n';
        return 2;
    }
    boost::asio::signal_set signals((*host)->io(), SIGINT, SIGTERM);
    signals.async_wait([&host](const boost::system::error_code& error, int) {
        if (!error) {
            (*host)->stop();
        }
    });
    return (*host)->run();
}

}  // namespace psguard
