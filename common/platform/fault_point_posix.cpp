#include <csignal>
#include <cstdlib>

#include "platform/fault_point.hpp"

namespace psguard {

void fault_point([[maybe_unused]] std::string_view name) {
#ifdef PSGUARD_FAULT_POINTS
    const char* wanted = std::getenv("PSGUARD_FAULT_POINT");
    if (wanted != nullptr && name == wanted) {
        std::raise(SIGKILL);
    }
#endif
}

}  // namespace psguard
