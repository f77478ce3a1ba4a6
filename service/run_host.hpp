// `psguard run`: the platform's way of hosting the agent. POSIX: the foreground process that
// systemd starts (SIGTERM/SIGINT stop, SIGHUP reloads). Windows: the service when the SCM
// started the process, the console otherwise (Ctrl+C stops).
#pragma once

#include "commands/config_source.hpp"

namespace psguard {

int run_host(const ConfigSource& source);

}  // namespace psguard
