// The guards and limits of self-heal (the KB's Procedure 2 done by psguard). Every threshold
// is configurable under "heal" in the configuration; see docs/heal.md.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace psguard {

// The ways to make the Symantec agent rebuild its status files and re-report them after a heal,
// tried in the configured order until one succeeds (heal/refresh_trigger.hpp).
enum class RefreshTrigger {
    agent,            // the agent's COM object: RefreshPackages(), ResendPackagesStatus() (Windows)
    command,          // refresh_command
    restart_service,  // restart_service
};

const char* to_string(RefreshTrigger trigger);

enum class HealMode {
    quarantine,  // move the files to state_dir/quarantine/<action-id>/ (restorable)
    remove,      // delete them ("mode": "delete"); still journaled with hashes
};

struct HealConfig {
    bool enabled = false;  // the agent loop heals only when enabled; `check --heal` always may
    HealMode mode = HealMode::quarantine;
    int confirm_cycles = 2;                  // consecutive stale cycles before acting
    std::chrono::minutes pending_grace{60};  // non-Ready, non-Invalid counts after this
    int max_per_cycle = 5;                   // packages healed in one cycle
    int max_per_day = 50;                    // packages healed in any 24 hours
    int mass_event_percent = 50;             // more stale than this share: heal nothing
    int mass_event_count = 25;               // ... or more stale than this many
    int max_attempts = 3;                    // then heal_failed until `psguard reset`
    int verify_cycles = 4;                   // cycles the NS has to turn Ready
    std::chrono::hours quarantine_retention{24 * 30};
    std::vector<std::string> refresh_command;  // argv, run without a shell
    std::chrono::seconds refresh_timeout{120};
    std::string restart_service;  // SCM / systemd service name
    // Tried in order until one succeeds; empty: no re-report trigger ("refresh": "none").
    // The loader's default: agent (Windows), then command and restart_service when configured.
    std::vector<RefreshTrigger> refresh;
    // The KB's Procedure 1, the agent's side (Windows): when the evidence points to
    // credential_not_applied, ask the agent to fetch and apply its policies again, at most once
    // per interval.
    bool policy_refresh = false;
    std::chrono::hours policy_refresh_interval{4};
};

}  // namespace psguard
