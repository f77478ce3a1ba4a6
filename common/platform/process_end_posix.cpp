#include <cstdlib>

#include "platform/process_end.hpp"

namespace psguard {

void end_process_now(int exit_code) noexcept {
    std::_Exit(exit_code);
}

}  // namespace psguard
