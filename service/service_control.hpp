// `psguard service install|uninstall|start|stop`: registers psguard with the SCM for installs
// without the MSI: automatic (delayed) start, LocalSystem, a description, recovery actions
// (restart after 60 s, three times), and the Event Log source. On Linux the systemd unit in
// installer/linux does this job, and the command says so.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace psguard {

struct ServiceCommand {
    std::string action;  // install, uninstall, start, stop
    std::optional<std::filesystem::path> config_file;
};

int run_service_command(const ServiceCommand& command);

}  // namespace psguard
