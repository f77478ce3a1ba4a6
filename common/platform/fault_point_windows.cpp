#include <windows.h>

#include <cstdlib>

#include "platform/fault_point.hpp"

namespace psguard {

bool fault_enabled([[maybe_unused]] std::string_view name) {
#ifdef PSGUARD_FAULT_POINTS
    const char* wanted = std::getenv("PSGUARD_FAULT_POINT");
    return wanted != nullptr && name == wanted;
#else
    return false;
#endif
}

void fault_point(std::string_view name) {
    if (fault_enabled(name)) {
        TerminateProcess(GetCurrentProcess(), 137);
    }
}

}  // namespace psguard
