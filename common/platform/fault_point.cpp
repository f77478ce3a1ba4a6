#include "platform/fault_point.hpp"

#include <cstdlib>

namespace psguard {

bool fault_enabled([[maybe_unused]] std::string_view name) {
#ifdef PSGUARD_FAULT_POINTS
    const char* wanted = std::getenv("PSGUARD_FAULT_POINT");
    return wanted != nullptr && name == wanted;
#else
    return false;
#endif
}

}  // namespace psguard
