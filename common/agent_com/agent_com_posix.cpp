// The Symantec agent's COM objects exist on Windows only.
#include "agent_com/agent_com.hpp"

namespace psguard {
namespace {

ComOutcome unavailable() {
    return {ComFailure::unavailable, 0,
            "the Symantec agent's COM objects are only available on Windows"};
}

class PosixAgentAutomation final : public AgentAutomation {
  public:
    ComOutcome resend_package_status() override { return unavailable(); }
    AgentPackagesRead read_packages() override { return {unavailable(), {}}; }
    ComOutcome refresh_policies() override { return unavailable(); }
    ComOutcome send_event(const NseMessage&) override { return unavailable(); }
};

}  // namespace

std::unique_ptr<AgentAutomation> make_agent_automation(std::chrono::milliseconds) {
    return std::make_unique<PosixAgentAutomation>();
}

}  // namespace psguard
