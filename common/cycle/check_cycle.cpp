#include "cycle/check_cycle.hpp"

#include "core/utf8_path.hpp"
#include "local/tree_scanner.hpp"

namespace psguard {
namespace {

// Scan findings that mean something is wrong (others are reported for information).
bool is_problem(ScanFindingKind kind) {
    switch (kind) {
        case ScanFindingKind::unexpected_entry:
        case ScanFindingKind::followed_link:
            return false;
        default:
            return true;
    }
}

}  // namespace

CheckReport run_check_cycle(const Config& config, NsClient& ns, const ReconcileOptions& options) {
    CheckReport report;
    report.server = config.server_name;
    report.ns.url = config.ns.url;

    const LocalScan local = scan_local_state(config.paths, config.parse);
    for (const auto& finding : local.findings) {
        report.findings.push_back(Finding{to_string(finding.kind), path_to_utf8(finding.path),
                                          finding.detail, is_problem(finding.kind)});
    }

    const NsFetch fetch = ns.fetch_package_states();
    report.ns.attempts = fetch.attempts;
    report.ns.reachable = fetch.http_status != 0;
    if (!fetch.answer) {
        report.ns.failure = fetch.failure;
        report.ns.error = fetch.error;
        report.packages = reconcile_without_ns(local, fetch.error);
        return report;
    }
    report.ns.usable = true;
    report.ns.rows = fetch.answer->rows.size();
    if (fetch.answer->rows.empty()) {
        report.findings.push_back(
            Finding{"ns_lists_no_package", config.ns.url,
                    "the NS report lists no package for Package Server \"" + config.server_name +
                        "\": check the server name (package_server.name) and the report"});
    }
    report.packages = reconcile(local, *fetch.answer, options);
    return report;
}

}  // namespace psguard
