#include <iostream>

#include "service_control.hpp"

namespace psguard {

int run_service_command(const ServiceCommand& command) {
    std::cerr << "psguard service " << command.action
              << ": on Linux psguard runs under systemd: install the package (or "
                 "installer/linux/psguard.service) and use systemctl "
              << (command.action == "install"     ? "enable psguard"
                  : command.action == "uninstall" ? "disable psguard"
                                                  : command.action + " psguard")
              << '\n';
    return 2;
}

}  // namespace psguard
