#include "logging/logging.hpp"

namespace psguard {

bool add_event_log_sink() {
    return false;
}

}  // namespace psguard
