#include "console.hpp"

namespace psguard {

void prepare_console() {}

std::vector<std::string> utf8_arguments(int argc, char** argv) {
    return std::vector<std::string>(argv, argv + argc);
}

}  // namespace psguard
