#include <unistd.h>

#include "console.hpp"

namespace psguard {

void prepare_console() {}

bool stdout_is_colour_terminal() {
    return isatty(STDOUT_FILENO) == 1;
}

std::vector<std::string> utf8_arguments(int argc, char** argv) {
    return std::vector<std::string>(argv, argv + argc);
}

}  // namespace psguard
