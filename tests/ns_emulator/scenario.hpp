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

#include "dataset_writer.hpp"

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
    empty_body,     // HTTP 200 with no body
    errors_answer,  // HTTP 200 with an <Errors> document instead of the report
    html_page,      // HTTP 200 with an HTML page (a proxy's or a login page)
    soap_fault,     // HTTP 500 with a SOAP fault (when the answer shape is SOAP)
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
    bool server_null = false;           // "server": null: the row's server cell is DBNull
    std::string guid;
    std::optional<std::string> name;  // null: DBNull, the cell is omitted
    std::string status;
    std::optional<std::string> ns_version;        // likewise
    std::optional<std::string> reported_version;  // likewise
    std::optional<std::string> error;  // the agent's error text (served with error_column)
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
    // How the report answer is wrapped; the default is the ASDK's documented <NewDataSet>.
    AnswerShape answer_shape = AnswerShape::new_dataset;
    std::string row_element = "Table";
    bool error_column = false;  // serve the optional Error column

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
