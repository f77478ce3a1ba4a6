#include <windows.h>

#include "platform/fault_point.hpp"

namespace psguard {

void fault_point(std::string_view name) {
    if (fault_enabled(name)) {
        TerminateProcess(GetCurrentProcess(), 137);  // as abrupt as a power cut
    }
}

}  // namespace psguard
