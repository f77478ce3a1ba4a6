#include "heal/heal_config.hpp"

namespace psguard {

const char* to_string(RefreshTrigger trigger) {
    switch (trigger) {
        case RefreshTrigger::agent:
            return "agent";
        case RefreshTrigger::command:
            return "command";
        case RefreshTrigger::restart_service:
            return "restart_service";
    }
    return "unknown";
}

}  // namespace psguard
