// Test helper: the Symantec agent's COM objects as a scripted fake, recording every call, for the
// portable logic above the agent_com seam (the COM calls themselves are tested under Wine
// against the stand-in COM server, tests/wine/agent_com.sh).
#pragma once

#include <string>
#include <vector>

#include "agent_com/agent_com.hpp"

namespace psguard::test {

class FakeAgentAutomation final : public AgentAutomation {
  public:
    ComOutcome resend_answer;
    AgentPackagesRead packages_answer;
    ComOutcome policies_answer;
    ComOutcome event_answer;
    std::vector<std::string> calls;
    std::vector<NseMessage> events;

    ComOutcome resend_package_status() override {
        calls.push_back("resend_package_status");
        return resend_answer;
    }
    AgentPackagesRead read_packages() override {
        calls.push_back("read_packages");
        return packages_answer;
    }
    ComOutcome refresh_policies() override {
        calls.push_back("refresh_policies");
        return policies_answer;
    }
    ComOutcome send_event(const NseMessage& message) override {
        calls.push_back("send_event");
        events.push_back(message);
        return event_answer;
    }
};

inline ComOutcome not_registered() {
    return {ComFailure::not_registered, static_cast<std::int32_t>(0x80040154),
            "Altiris.AeXNSClient is not registered on this host: Class not registered "
            "(0x80040154)"};
}

}  // namespace psguard::test
