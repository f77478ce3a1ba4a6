#include <windows.h>

#include <cstdlib>

#include "platform/fault_point.hpp"

namespace psguard {

void fault_point([[maybe_unused]] std::string_view name) {
#ifdef PSGUARD_FAULT_POINTS
    const char* wanted = std::getenv("PSGUARD_FAULT_POINT");
    if (wanted != nullptr && name == wanted) {
        TerminateProcess(GetCurrentProcess(), 137);
    }
#endif
}

}  // namespace psguard
