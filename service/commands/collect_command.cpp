// psguard collect: one anonymised support bundle (common/collect/support_bundle.hpp), written as
// one archive, read back, and listed with its size.
#include <fstream>
#include <iomanip>
#include <iostream>
#include <iterator>

#include "collect/support_bundle.hpp"
#include "commands/commands.hpp"
#include "commands/config_source.hpp"
#include "config/config_loader.hpp"
#include "core/utc_time.hpp"
#include "core/utf8_path.hpp"
#include "cycle/check_cycle.hpp"
#include "cycle/state_dir.hpp"
#include "local/tree_scanner.hpp"
#include "platform/agent_registry.hpp"
#include "platform/host.hpp"

namespace psguard {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> read_text(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::optional<nlohmann::json> read_json(const fs::path& file) {
    auto text = read_text(file);
    if (!text) {
        return std::nullopt;
    }
    if (text->starts_with("\xEF\xBB\xBF")) {
        text->erase(0, 3);
    }
    auto document = nlohmann::json::parse(*text, nullptr, false, /*ignore_comments=*/true);
    if (document.is_discarded()) {
        return std::nullopt;
    }
    return document;
}

// What psguard detected on this host: the agent's registry values and the folders in use.
std::vector<std::pair<std::string, std::string>> detected_paths(const Config& config) {
    std::vector<std::pair<std::string, std::string>> rows = describe(read_agent_registry());
    const auto add = [&rows](std::string what, const std::optional<fs::path>& path) {
        rows.emplace_back(std::move(what),
                          path && !path->empty() ? path_to_utf8(*path) : std::string("(absent)"));
    };
    add("agent install folder", agent_install_dir());
    add("ProgramData", program_data_dir());
    add("Public", public_dir());
    add("paths.package_delivery", config.paths.package_delivery);
    add("paths.package_status", config.paths.package_status);
    add("paths.state_dir", config.paths.state_dir);
    add("evidence.log_dir", config.evidence.log_dir);
    add("evidence.queue_dir", config.evidence.queue_dir);
    for (std::size_t i = 0; i < config.paths.storage_roots.size(); ++i) {
        add("paths.storage_roots[" + std::to_string(i) + "]", config.paths.storage_roots[i]);
    }
    return rows;
}

fs::path default_output() {
    std::string stamp = format_utc(now_seconds());  // 2026-05-16T12:00:00Z
    std::erase(stamp, ':');
    std::erase(stamp, '-');
    return fs::current_path() / ("psguard-collect-" + stamp + std::string(archive_extension()));
}

}  // namespace

int run_collect_command(const CollectOptions& options) {
    const ConfigSource source = config_source(options.config_file);
    auto config = load_config(source);
    if (!config) {
        std::cerr << config.error().message << '\n';
        return kExitUsage;
    }
    auto ns = make_ns_client(*config);
    if (!ns) {
        std::cerr << ns.error().message << '\n';
        return kExitUsage;
    }

    // One read-only check: its report, and the NS answer it fetched (once).
    (*ns)->keep_answer_body(true);
    const CheckReport report = run_check_cycle(*config, **ns);
    const LocalScan scan = scan_local_state(config->paths, config->parse);

    BundleInput input;
    input.version = PSGUARD_VERSION;
    input.config_file = source.file;
    input.config_document = read_json(source.file).value_or(nlohmann::json::object());
    input.config = &*config;
    input.host_name = local_host_name();
    input.detected = detected_paths(*config);
    input.scan = &scan;
    input.report = to_json(report);
    input.last_report = read_json(StateDir::last_report_file(config->paths.state_dir));
    input.ns_body = (*ns)->last_body();
    input.ns_error = report.ns.error;
    BundleOptions bundle_options;
    bundle_options.hide_guids = options.hide_guids;
    const SupportBundle bundle = build_support_bundle(input, bundle_options);

    const fs::path out = options.out ? *options.out : default_output();
    if (auto written = write_archive(out, bundle.entries); !written) {
        std::cerr << "psguard collect: " << written.error().message << '\n';
        return kExitFindings;
    }
    // Read back what was written: the listing is of the archive, not of memory.
    auto entries = read_archive(out);
    if (!entries) {
        std::cerr << "psguard collect: cannot read back " << entries.error().message << '\n';
        return kExitFindings;
    }
    std::error_code ec;
    const auto size = fs::file_size(out, ec);
    std::cout << "wrote " << path_to_utf8(out) << " (" << (ec ? 0 : size) << " bytes, "
              << entries->size() << " entries):\n";
    for (const ArchiveEntry& entry : *entries) {
        std::cout << "  " << std::left << std::setw(52) << entry.name << std::right << std::setw(10)
                  << entry.bytes.size() << '\n';
    }
    return 0;
}

}  // namespace psguard
