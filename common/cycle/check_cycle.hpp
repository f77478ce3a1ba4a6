// One cycle: scan the local folders, ask the NS, reconcile, and (when asked) heal within the
// guards. Without a state folder the cycle is read-only: no history, no heal.
#pragma once

#include <set>
#include <stop_token>
#include <string>

#include "acl/acl_inspector.hpp"
#include "agent_com/agent_com.hpp"
#include "config/config.hpp"
#include "core/utc_time.hpp"
#include "cycle/check_report.hpp"
#include "cycle/state_dir.hpp"
#include "local/local_state.hpp"
#include "ns/ns_client.hpp"

namespace psguard {

struct CycleOptions {
    bool heal = false;     // act on planned packages (needs a state folder)
    bool dry_run = false;  // plan, print, touch nothing
    // A scan the caller made (the agent's incremental scan); nullptr: the cycle scans itself.
    const LocalScan* local = nullptr;
    // Incremental cycles (`local` given): the packages `local` has read again since the last
    // cycle. Only their folders (and the roots) have their ACLs read again, the others keep
    // their result from `previous_acl`; only they, and those whose NS row changed, are judged
    // again, the others keep their verdict from `previous_verdicts` (the last cycle's, judged
    // from `local` as it was before this cycle's refresh). nullptr: check and judge everything.
    const std::set<std::string>* changed_packages = nullptr;
    const AclReport* previous_acl = nullptr;
    const std::vector<PackageVerdict>* previous_verdicts = nullptr;
    // The Symantec agent's COM objects (re-report trigger, its view of the packages, policy
    // refresh, fleet NSE); nullptr: the cycle makes its own (make_agent_automation).
    AgentAutomation* agent = nullptr;
    // The agent's stop: kills a running refresh command (heal.refresh_command) and ends the
    // wait for a service restart.
    std::stop_token stop;
};

CheckReport run_check_cycle(const Config& config, NsClient& ns, AgentAutomation* agent = nullptr);

CheckReport run_cycle(const Config& config, NsClient& ns, StateDir& state,
                      const CycleOptions& options, TimePoint now);

}  // namespace psguard
