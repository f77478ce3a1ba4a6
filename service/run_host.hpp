// `psguard run`: the platform's way of hosting the agent. POSIX: the foreground process that
// systemd starts (SIGTERM/SIGINT stop, SIGHUP reloads). Windows: the service when the SCM
// started the process, the console otherwise (Ctrl+C stops).
#pragma once

#include <filesystem>

namespace psguard {

int run_host(const std::filesystem::path& config_file);

}  // namespace psguard
