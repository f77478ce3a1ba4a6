// The runtime configuration: one value type, loaded and validated by config_loader.
// Every field here is documented in docs/configuration.md and config/psguard.example.jsonc.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "acl/acl_config.hpp"
#include "endpoint/endpoint_config.hpp"
#include "evidence/evidence_config.hpp"
#include "heal/heal_config.hpp"

namespace psguard {

enum class AuthType { none, basic, negotiate };

struct AuthConfig {
    AuthType type = AuthType::none;
    std::string username;
    std::filesystem::path password_file;  // the password itself never lives in the JSON
};

// Column names of the NS report, as SQL names them (a space, not `_x0020_`).
struct NsColumns {
    std::string package_server = "Package Server";
    std::string package_name = "Package Name";
    std::string status = "Status";
    std::string ns_version = "Package Version on NS";
    std::string reported_version = "Version Last Reported by PS";
    std::string package_guid = "Package GUID";
    // Optional: the agent's error text for the package (SWDPackageServer). Read when the report
    // returns the column; its text becomes evidence.
    std::string error = "Error";
};

struct NsConfig {
    std::string url;          // https://ns.example.com (no path)
    std::string report_guid;  // normalised "{...}"
    std::string report_parameter = "PackageServer";
    AuthConfig auth;
    std::optional<std::filesystem::path> ca_file;
    std::chrono::seconds timeout{30};
    int max_retries = 2;  // extra attempts after the first, on 5xx and timeouts only
    std::chrono::milliseconds retry_backoff{1000};
    std::uint64_t max_response_bytes = 32ull * 1024 * 1024;
    NsColumns columns;
};

struct PathsConfig {
    std::filesystem::path package_delivery;
    std::filesystem::path package_status;
    std::filesystem::path state_dir;
    // Junctions/symlinks inside the roots are followed only when their target lies inside one
    // of these (ITMS 8.x moved-storage folders). Empty by default: never follow.
    std::vector<std::filesystem::path> storage_roots;

    bool operator==(const PathsConfig&) const = default;
};

// XPath 1.0 expressions evaluated on the parsed files; the first node in document order wins.
// The defaults accept the attribute form (<PackageStatus status="Ready" version="1"/>) and the
// element form (<PackageStatus><Status>Ready</Status>...), with names in any case; the version
// may also be named PackageVersion, as the ASDK names the agent's package field.
#define PSGUARD_LOWER_NAME \
    "translate(local-name(),'ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz')"
struct ParseConfig {
    std::string status_xpath =
        "/*/@*[" PSGUARD_LOWER_NAME "='status'] | /*/*[" PSGUARD_LOWER_NAME "='status']";
#define PSGUARD_VERSION_NAME \
    "[" PSGUARD_LOWER_NAME "='version' or " PSGUARD_LOWER_NAME "='packageversion']"
    std::string version_xpath = "/*/@*" PSGUARD_VERSION_NAME " | /*/*" PSGUARD_VERSION_NAME;
    std::string snapshot_version_xpath =
        "/*/@*" PSGUARD_VERSION_NAME " | /*/*" PSGUARD_VERSION_NAME;
    // Nodes with a name and a size, as attributes or child elements, any case.
    std::string snapshot_file_xpath = "//*[" PSGUARD_LOWER_NAME "='file']";
    // Relocated storage (ITMS 8.x custom location): the folder holding the package's files as
    // snapshot.xml records it, and the custom-location flag. The schema is not public, so the
    // defaults take the likely names on the root, as an attribute or a child element.
    std::string snapshot_location_xpath =
        "/*/@*[" PSGUARD_LOWER_NAME "='location' or " PSGUARD_LOWER_NAME
        "='packagelocation' or " PSGUARD_LOWER_NAME "='storagelocation' or " PSGUARD_LOWER_NAME
        "='destination' or " PSGUARD_LOWER_NAME "='path' or " PSGUARD_LOWER_NAME
        "='packagepath'] | /*/*[" PSGUARD_LOWER_NAME "='location' or " PSGUARD_LOWER_NAME
        "='packagelocation' or " PSGUARD_LOWER_NAME "='storagelocation' or " PSGUARD_LOWER_NAME
        "='destination' or " PSGUARD_LOWER_NAME "='packagepath']";
    std::string snapshot_custom_location_xpath =
        "/*/@*[" PSGUARD_LOWER_NAME "='iscustomlocation' or " PSGUARD_LOWER_NAME
        "='customlocation'] | /*/*[" PSGUARD_LOWER_NAME "='iscustomlocation' or " PSGUARD_LOWER_NAME
        "='customlocation']";
    std::uint64_t max_file_bytes = 8ull * 1024 * 1024;

    bool operator==(const ParseConfig&) const = default;
};
#undef PSGUARD_VERSION_NAME
#undef PSGUARD_LOWER_NAME

// The Symantec agent's own view of its packages (ClientAgent("Altiris.AeXNSCPkgSvr").Packages),
// read every cycle as a second local source (Windows). automatic: read where the agent's COM
// class is registered, silently skipped where it is not.
enum class AgentViewMode { off, automatic, on };

struct LocalConfig {
    AgentViewMode agent_view = AgentViewMode::off;
};

// The fleet status NSE (Windows): one row per Package Server into a custom data class on the
// NS, through the agent's Altiris.AeXNSEvent (docs/smp-fleet-report.md).
struct SmpReportConfig {
    bool enabled = false;
    std::string data_class;  // the custom data class's GUID (or name)
    std::chrono::hours interval{24};
};

struct AgentConfig {
    std::chrono::minutes interval{15};
    std::chrono::milliseconds debounce{2000};
};

struct LoggingConfig {
    std::string level = "info";
    std::uint64_t max_file_bytes = 10ull * 1024 * 1024;
    int max_files = 5;
};

struct Config {
    std::string server_name;
    PathsConfig paths;
    NsConfig ns;
    std::string credential_account;
    ParseConfig parse;
    LocalConfig local;
    HealConfig heal;
    AclConfig acl;
    EvidenceConfig evidence;
    EndpointConfig endpoint;
    AgentConfig agent;
    LoggingConfig logging;
    SmpReportConfig smp_report;
};

}  // namespace psguard
