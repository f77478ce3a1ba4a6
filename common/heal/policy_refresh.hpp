// The KB's Procedure 1, the agent's side (Windows, heal.policy_refresh): the Package Service
// credential reaches the agent by policy, so when the evidence points to
// credential_not_applied on heal.confirm_cycles cycles in a row (or when acl.repair is about to
// edit a DACL the agent manages itself), psguard asks the agent to fetch and apply its policies
// again (UpdatePolicies(1), ClientPolicyMgr.Refresh()), at most once per
// heal.policy_refresh_hours. The request is a journal action; later cycles verify it (the
// diagnosis no longer says credential_not_applied) or mark it verify_failed.
#pragma once

#include <optional>
#include <string>

#include "agent_com/agent_com.hpp"
#include "core/utc_time.hpp"
#include "heal/heal_config.hpp"
#include "heal/heal_history.hpp"
#include "heal/healer.hpp"
#include "heal/journal.hpp"

namespace psguard {

struct PolicyRefreshInput {
    bool credential_not_applied = false;  // this cycle's diagnosis
    std::string diagnosis_summary;
    bool acl_repair_pending = false;  // acl.repair would edit a DACL this cycle
    bool dry_run = false;
};

struct PolicyRefreshReport {
    // "requested", "failed", "planned" (dry run), "waiting" (asked within the interval),
    // "verified", "verify_failed"
    std::string result;
    std::string action_id;
    std::string detail;
    std::optional<std::int32_t> hresult;
    std::optional<TimePoint> last_requested;
};

// One cycle's part; nullopt when there was nothing to do or report.
std::optional<PolicyRefreshReport> run_policy_refresh(const HealConfig& config,
                                                      const PolicyRefreshInput& input,
                                                      HealHistory& history, Journal& journal,
                                                      AgentAutomation& agent, TimePoint now);

// At start: a request whose outcome the journal lacks (psguard stopped while the agent was being
// asked) is closed as failed; it counts as asked at its time, so the interval still holds.
std::vector<RecoveryOutcome> recover_policy_refresh(HealHistory& history, Journal& journal,
                                                    TimePoint now);

// Whether acl.repair may edit a DACL now: with heal.policy_refresh on, only after the agent was
// asked (in an earlier cycle) to apply its policies again. The reason when not.
std::optional<std::string> acl_repair_waits_for_policies(const HealConfig& config,
                                                         const HealHistory& history, TimePoint now);

}  // namespace psguard
