// The result of one read-only check cycle, and its two renderings: JSON for tools, a table for
// the administrator at the console.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "local/local_state.hpp"
#include "ns/ns_client.hpp"
#include "reconcile/verdict.hpp"

namespace psguard {

struct NsStatus {
    std::string url;
    bool reachable = false;  // an HTTP answer came back
    bool usable = false;     // ... and it was a complete, well-formed report
    std::optional<NsFailure> failure;
    std::string error;
    std::optional<std::size_t> rows;
    int attempts = 0;
};

// Something about the server as a whole rather than one package.
struct Finding {
    std::string kind;
    std::string path;
    std::string detail;
    bool problem = true;  // false: reported for information, does not make the check fail
};

struct CheckReport {
    std::string server;
    NsStatus ns;
    std::vector<PackageVerdict> packages;
    std::vector<Finding> findings;

    std::map<std::string, std::size_t> summary() const;  // verdict -> count
    // 0 all healthy, 1 findings, 3 NS unreachable or its answer unusable.
    int exit_code() const;
};

inline constexpr int kExitHealthy = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitNsUnusable = 3;

nlohmann::json to_json(const CheckReport& report);
std::string to_table(const CheckReport& report);

}  // namespace psguard
