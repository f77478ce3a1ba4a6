// The fleet status NSE (smp_report): one row per Package Server, sent through the agent's
// Altiris.AeXNSEvent into a custom data class the administrator creates on the NS, so that the
// SMP console lists every Package Server's psguard state. The columns' order, types and sizes
// are fixed here and documented in docs/smp-fleet-report.md; the NS rejects a row that does not
// match the data class, so the two must agree exactly.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "agent_com/agent_com.hpp"
#include "core/utc_time.hpp"
#include "reconcile/verdict.hpp"

namespace psguard {

// The Inventory Capture Item: the NS's handler for custom inventory NSEs.
inline constexpr const char* kInventoryCaptureGuid = "{1592B913-72F3-4C36-91D2-D4EDA21D2F96}";

enum class FleetColumnType { text, integer };

struct FleetColumn {
    const char* name;
    FleetColumnType type;
    std::size_t size;  // characters, for text
};

inline constexpr std::array<FleetColumn, 20> kFleetColumns{{
    {"psguard Version", FleetColumnType::text, 32},
    {"Last Cycle UTC", FleetColumnType::text, 20},
    {"Result", FleetColumnType::text, 16},
    {"Healthy", FleetColumnType::integer, 0},
    {"Stale On NS", FleetColumnType::integer, 0},
    {"Pending On NS", FleetColumnType::integer, 0},
    {"Version Mismatch", FleetColumnType::integer, 0},
    {"Not Ready Locally", FleetColumnType::integer, 0},
    {"Missing Locally", FleetColumnType::integer, 0},
    {"Unknown To NS", FleetColumnType::integer, 0},
    {"Unreadable", FleetColumnType::integer, 0},
    {"Deleted", FleetColumnType::integer, 0},
    {"Unrecognised NS Status", FleetColumnType::integer, 0},
    {"Diagnosis", FleetColumnType::text, 32},
    {"Diagnosis Summary", FleetColumnType::text, 250},
    {"ACL OK", FleetColumnType::integer, 0},
    {"Heal Enabled", FleetColumnType::integer, 0},
    {"Heal Actions 24h", FleetColumnType::integer, 0},
    {"Heal Failures 24h", FleetColumnType::integer, 0},
    {"Breaker", FleetColumnType::text, 250},
}};

// What one row says, before it is rendered into the columns.
struct FleetStatus {
    std::string version;
    TimePoint cycle_time;
    std::string result;  // "healthy", "findings", "ns_unusable"
    // One count per verdict, in kAllVerdicts' order, which is kFleetColumns' order.
    std::array<std::size_t, std::size(kAllVerdicts)> verdict_counts{};
    std::string diagnosis;
    std::string diagnosis_summary;
    std::optional<bool> acl_ok;  // nullopt: not checked (1 / 0 / -1)
    bool heal_enabled = false;
    int heal_actions_24h = 0;
    int heal_failures_24h = 0;
    std::string breaker;  // empty: closed

    // What changes the row's meaning (not its time or the 24-hour tallies): a change sends the
    // row at once, without waiting for the interval.
    std::string fingerprint() const;
};

// The row, one text per column in kFleetColumns' order, each text cut to its column's size.
std::vector<std::string> fleet_row(const FleetStatus& status);

// At most `size` characters (code points); a cut text ends with "..." within the size.
std::string fit_column(const std::string& text, std::size_t size);

// When the row goes out: at once when never sent or when its fingerprint changed since the last
// attempt, else once per interval after the last attempt.
struct FleetSendState {
    std::optional<TimePoint> last_attempt;
    std::string last_fingerprint;
    std::optional<TimePoint> last_success;
};

bool fleet_row_due(const FleetSendState& state, const std::string& fingerprint,
                   std::chrono::hours interval, TimePoint now);

NseMessage fleet_message(const std::string& data_class, const FleetStatus& status);

}  // namespace psguard
