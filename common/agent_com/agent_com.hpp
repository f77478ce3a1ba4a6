// The Symantec agent's own automation objects (ASDK), called late-bound through IDispatch:
//   Altiris.AeXNSClient -> ClientPolicyMgr -> ClientAgent("Altiris.AeXNSCPkgSvr")
//     RefreshPackages(), ResendPackagesStatus(), Packages (the agent's view of its packages)
//   Altiris.AeXNSClient.UpdatePolicies(1), ClientPolicyMgr.Refresh()   (policies again)
//   Altiris.AeXNSEvent: To, Priority, AddDataClass, AddDataBlock, AddRow, SetField, SendQueued
// The seam holds only the COM calls: agent_com_windows.cpp runs each on a thread of its own with
// its own apartment and gives up after a timeout, so that a hung agent never hangs the cycle;
// agent_com_posix.cpp answers "not available on this platform". What to call when, and what the
// answers mean, is portable (heal/refresh_trigger, local/agent_view, cycle/smp_report).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace psguard {

enum class ComFailure {
    none,
    unavailable,     // not on this platform
    not_registered,  // the ProgID has no class (no Symantec agent, or not this plug-in)
    call_failed,     // CoCreateInstance, GetIDsOfNames or Invoke returned an error
    timed_out,       // the call did not return within the timeout (left running, abandoned)
};

const char* to_string(ComFailure failure);

// What one call (or chain of calls) into the agent came to: the HRESULT and its message, with
// the member that failed ("ClientAgent(\"Altiris.AeXNSCPkgSvr\").ResendPackagesStatus: ...").
struct ComOutcome {
    ComFailure failure = ComFailure::none;
    std::int32_t hresult = 0;
    std::string message;

    bool ok() const { return failure == ComFailure::none; }
};

// "0x80040154" (the HRESULT as Windows tools print it).
std::string format_hresult(std::int32_t hresult);

// One entry of ClientAgent("Altiris.AeXNSCPkgSvr").Packages, as the ASDK names its fields.
// Every field is what the agent answered converted to text, except the two flags.
struct AgentPackage {
    std::string name;
    std::string status;  // "Ready", "Deleted", ...
    std::string ns;
    std::string policy_id;
    std::string previous_status;
    std::string time;
    std::string originator;           // PackageOriginator
    std::string version;              // PackageVersion
    std::string size;                 // PackageSize
    bool is_custom_location = false;  // the files live outside Package Delivery (ITMS 8.x)
    std::string cleanup_after;
    std::string id;  // the package GUID, as the agent writes it
};

struct AgentPackagesRead {
    ComOutcome outcome;
    std::vector<AgentPackage> packages;  // empty unless outcome.ok()
};

// A custom-inventory NSE: one data class, its rows, each row's fields in column order.
struct NseMessage {
    std::string to;  // the inventory capture item's GUID
    int priority = 1;
    std::string data_class;  // the custom data class's GUID (or name)
    std::vector<std::vector<std::string>> rows;
};

class AgentAutomation {
  public:
    virtual ~AgentAutomation() = default;

    // ClientAgent("Altiris.AeXNSCPkgSvr").RefreshPackages(), then ResendPackagesStatus().
    virtual ComOutcome resend_package_status() = 0;
    // ClientAgent("Altiris.AeXNSCPkgSvr").Packages, every field of every package.
    virtual AgentPackagesRead read_packages() = 0;
    // AeXNSClient.UpdatePolicies(1) (ignore blockouts), then ClientPolicyMgr.Refresh().
    virtual ComOutcome refresh_policies() = 0;
    // Altiris.AeXNSEvent: the header, one data block with the rows, SendQueued().
    virtual ComOutcome send_event(const NseMessage& message) = 0;
};

// The platform's implementation; every call gives up after `timeout`. A call abandoned for its
// timeout keeps its thread; until it returns, further calls fail at once (timed_out) rather than
// pile up threads on a hung agent.
std::unique_ptr<AgentAutomation> make_agent_automation(std::chrono::milliseconds timeout);

}  // namespace psguard
