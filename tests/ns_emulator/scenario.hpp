// What the emulated NS knows and how it misbehaves: loaded from the scenario file, then
// patched at runtime through the control endpoint.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace psguard::emulator {

enum class Fault {
    none,
    http_500,
    http_503,
    http_401,
    http_403,
    delay,
    truncated,
    malformed_xml,
    wrong_namespace,
    missing_column,
    duplicate_rows,
    zero_rows,
    huge_body,
    wrong_host_cert,
    fail_first_n,
};

std::optional<Fault> fault_from_string(std::string_view name);
std::string_view to_string(Fault fault);

struct BasicAuth {
    std::string username;
    std::string password;
};

// One row of SWDPackageServer as the verification report shows it.
struct Package {
    std::optional<std::string> server;  // absent: the scenario's server
    std::string guid;
    std::string name;
    std::string status;
    std::optional<std::string> ns_version;        // absent: DBNull, the column is omitted
    std::optional<std::string> reported_version;  // likewise
};

struct Scenario {
    std::string server = "PS01";
    std::string report_guid = "{a1b2c3d4-0000-4000-8000-000000000001}";
    std::optional<BasicAuth> auth;
    std::vector<Package> packages;
    Fault fault = Fault::none;
    std::chrono::milliseconds fault_delay{10000};
    std::uint64_t fault_huge_bytes = 64ull * 1024 * 1024;
    std::uint32_t fault_count = 1;

    const std::string& server_of(const Package& package) const {
        return package.server ? *package.server : server;
    }
};

// Applies the keys present in `patch` over `base` (a complete scenario is a patch that sets
// everything). Unknown keys and wrong types throw std::invalid_argument, so typos in test
// scenarios fail loudly instead of silently testing something else.
Scenario apply_patch(const Scenario& base, const nlohmann::json& patch);

Scenario load_scenario(const std::filesystem::path& file);

// The scenario as JSON, password masked (it is served to anyone who asks).
nlohmann::json to_json(const Scenario& scenario);

// {"server", "guid", "status"?, "reported_version"?, "ns_version"?}: updates the matching row,
// as the Package Server agent's status report would. Returns false when no row matches.
bool update_package_status(Scenario& scenario, const nlohmann::json& update);

}  // namespace psguard::emulator
