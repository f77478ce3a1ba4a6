// What `psguard collect` puts in a support bundle, anonymised (docs/configuration.md,
// "Support bundle"): the version and the configuration without secrets, the paths and registry
// values psguard detected, a read-only check's report and the agent's last one, up to
// `max_samples` snapshot.xml and PackageStatus.xml, the agent-log evidence, the NS answer's
// columns and first rows. Portable; the command writes the entries with write_archive.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "collect/archive.hpp"
#include "config/config.hpp"
#include "local/local_state.hpp"

namespace psguard {

struct BundleInput {
    std::string version;  // psguard's
    std::filesystem::path config_file;
    nlohmann::json config_document;  // the file as written (comments dropped)
    const Config* config = nullptr;  // as loaded (defaults and detection applied)
    std::string host_name;           // this host's name
    // What psguard detected: ("HKLM\...\InstallDir (64-bit view)", value or "(absent)"), ...
    std::vector<std::pair<std::string, std::string>> detected;
    const LocalScan* scan = nullptr;
    nlohmann::json report;                      // this run's read-only check (to_json)
    std::optional<nlohmann::json> last_report;  // state_dir/last-report.json, when there
    std::optional<std::string> ns_body;         // the NS answer as received (HTTP 200)
    std::string ns_error;                       // why there is no usable answer, if so
};

struct BundleOptions {
    bool hide_guids = false;
    std::size_t max_samples = 20;  // of each of snapshot.xml and PackageStatus.xml
    std::size_t ns_rows = 5;
};

struct SupportBundle {
    std::vector<ArchiveEntry> entries;
    std::vector<std::string> originals;  // every name that was replaced (never written)
};

SupportBundle build_support_bundle(const BundleInput& input, const BundleOptions& options);

}  // namespace psguard
