#include "platform/agent_registry.hpp"

namespace psguard {

// No registry: the agent's folders are found by path (host_posix.cpp).
AgentRegistry read_agent_registry(std::string_view key) {
    AgentRegistry registry;
    registry.key = std::string(key);
    return registry;
}

}  // namespace psguard
