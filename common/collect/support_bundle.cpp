#include "collect/support_bundle.hpp"

#include <algorithm>

#include "collect/anonymiser.hpp"
#include "collect/xml_anonymiser.hpp"
#include "core/ascii.hpp"
#include "core/utf8_path.hpp"
#include "local/status_parser.hpp"

namespace psguard {
namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kMaxSampleBytes = 8ull * 1024 * 1024;

// A key that names a secret itself (not a file holding one): dropped from the configuration.
bool is_secret_key(std::string_view key) {
    const std::string lower = ascii_lower(key);
    const bool names_a_file = lower.ends_with("_file") || lower.ends_with("file");
    return !names_a_file && (lower.find("password") != std::string::npos ||
                             lower.find("secret") != std::string::npos || lower == "token");
}

nlohmann::json without_secrets(const nlohmann::json& node) {
    if (node.is_object()) {
        nlohmann::json out = nlohmann::json::object();
        for (const auto& [key, value] : node.items()) {
            out[key] = is_secret_key(key) ? nlohmann::json("(removed)") : without_secrets(value);
        }
        return out;
    }
    if (node.is_array()) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& item : node) {
            out.push_back(without_secrets(item));
        }
        return out;
    }
    return node;
}

// `lower_name` in `dir`, any case (the agent's files are found as the scanner finds them).
std::optional<fs::path> find_file(const fs::path& dir, std::string_view lower_name) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (ascii_lower(path_to_utf8(it->path().filename())) == lower_name) {
            return it->path();
        }
    }
    return std::nullopt;
}

std::string pretty(const nlohmann::json& document) {
    return document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

// Names the bundle's structured data holds, registered before any free text is scrubbed.
void learn_names(const BundleInput& input, Anonymiser& anonymiser) {
    anonymiser.host(input.host_name);
    if (const Config* config = input.config) {
        anonymiser.host(config->server_name);
        anonymiser.url(config->ns.url);
        anonymiser.account(config->credential_account);
        anonymiser.account(config->ns.auth.username);
        for (const fs::path& path :
             {config->paths.package_delivery, config->paths.package_status, config->paths.state_dir,
              config->evidence.log_dir, config->evidence.queue_dir}) {
            anonymiser.path(path_to_utf8(path));
        }
        for (const fs::path& root : config->paths.storage_roots) {
            anonymiser.path(path_to_utf8(root));
        }
    }
    anonymiser.path(path_to_utf8(input.config_file));
    if (input.report.contains("packages") && input.report["packages"].is_array()) {
        for (const auto& package : input.report["packages"]) {
            if (package.contains("name") && package["name"].is_string()) {
                anonymiser.package(package["name"].get<std::string>());
            }
        }
    }
}

void add_samples(const BundleInput& input, const BundleOptions& options, Anonymiser& anonymiser,
                 std::vector<ArchiveEntry>& entries, nlohmann::json& problems) {
    if (input.scan == nullptr) {
        return;
    }
    std::size_t snapshots = 0;
    std::size_t statuses = 0;
    for (const auto& [id, package] : input.scan->packages) {
        const std::string folder = "samples/" + anonymiser.guid(id) + "/";
        const auto add = [&](const fs::path& dir, std::string_view lower_name, std::size_t& count) {
            if (dir.empty() || count >= options.max_samples) {
                return;
            }
            const auto file = find_file(dir, lower_name);
            if (!file) {
                return;
            }
            auto bytes = read_file_capped(*file, kMaxSampleBytes);
            auto anonymised = bytes ? anonymise_xml(bytes.value(), anonymiser)
                                    : Result<std::string>(bytes.error());
            if (!anonymised) {
                problems.push_back(anonymiser.text(path_to_utf8(*file)) + ": " +
                                   anonymiser.text(anonymised.error().message));
                return;
            }
            entries.push_back(
                {folder + std::string(lower_name == "snapshot.xml" ? "snapshot.xml"
                                                                   : "PackageStatus.xml"),
                 std::move(anonymised).value()});
            ++count;
        };
        add(input.scan->delivery_dir(id, package), "snapshot.xml", snapshots);
        add(input.scan->status_dir(id, package), "packagestatus.xml", statuses);
    }
}

// The agent-log lines the report cites, one a line, anonymised.
std::string evidence_excerpts(const nlohmann::json& report, Anonymiser& anonymiser) {
    std::string out;
    if (!report.contains("evidence") || !report["evidence"].is_array()) {
        return "(no evidence in the report)\n";
    }
    for (const auto& item : report["evidence"]) {
        const auto get = [&](const char* key) {
            return item.contains(key) && item[key].is_string() ? item[key].get<std::string>()
                                                               : std::string();
        };
        out += get("kind") + "\t" + get("time") + "\t" + anonymiser.text(get("source")) + "\t" +
               anonymiser.path(get("where")) + "\n  " + anonymiser.text(get("message")) + "\n";
    }
    return out.empty() ? "(no evidence in the report)\n" : out;
}

std::string readme(const BundleInput& input, const BundleOptions& options) {
    return "psguard support bundle (psguard " + input.version +
           ")\n\n"
           "Made by `psguard collect` for psguard's authors. Anonymised: package names, file "
           "names, hashes, host and account names and path components other than the agent's "
           "and Windows' own folder names are replaced by placeholders (package-1, file-2.exe, "
           "hash-3, host-4, account-5, dir-6, value-7), the same original always by the same "
           "placeholder. GUIDs are " +
           std::string(options.hide_guids ? "replaced too (--hide-guids)"
                                          : "kept (--hide-guids replaces them)") +
           ". Secrets are never in psguard's configuration; keys that would hold one are "
           "removed. Review before sending.\n\n"
           "  version.txt        psguard's version\n"
           "  config.json        the configuration file, anonymised\n"
           "  detected.json      registry values and paths psguard detected\n"
           "  report.json        a read-only check run by collect\n"
           "  last-report.json   the agent's last cycle (state folder), when there is one\n"
           "  evidence.txt       the agent-log lines the check cites\n"
           "  ns-answer.json     the NS answer's columns, row count, error\n"
           "  ns-answer.xml      the NS answer with its first rows\n"
           "  samples/           snapshot.xml and PackageStatus.xml of up to " +
           std::to_string(options.max_samples) + " packages each\n";
}

}  // namespace

SupportBundle build_support_bundle(const BundleInput& input, const BundleOptions& options) {
    Anonymiser anonymiser(options.hide_guids);
    learn_names(input, anonymiser);
    SupportBundle bundle;
    auto& entries = bundle.entries;
    nlohmann::json problems = nlohmann::json::array();

    // Structured data first: each registers the names free text is scrubbed of later.
    nlohmann::json ns = {{"columns", nlohmann::json::array()},
                         {"rows_total", nullptr},
                         {"rows_kept", nullptr},
                         {"error", nullptr}};
    std::optional<std::string> ns_xml;
    if (input.ns_body) {
        if (auto sample = sample_ns_answer(*input.ns_body, anonymiser, options.ns_rows)) {
            ns["columns"] = sample->columns;
            ns["rows_total"] = sample->rows_total;
            ns["rows_kept"] = sample->rows_kept;
            ns_xml = std::move(sample->xml);
        } else {
            ns["error"] = "the answer is not XML: " + sample.error().message;
        }
    }
    add_samples(input, options, anonymiser, entries, problems);
    const nlohmann::json config = anonymiser.json(without_secrets(input.config_document));
    nlohmann::json detected = nlohmann::json::object();
    for (const auto& [what, value] : input.detected) {
        detected[what] = value == "(absent)" ? value : anonymiser.path(value);
    }
    const nlohmann::json report = anonymiser.json(input.report);

    // Then free text.
    if (!input.ns_error.empty()) {
        ns["error"] = anonymiser.text(input.ns_error);
    }
    std::vector<ArchiveEntry> head = {{"README.txt", readme(input, options)},
                                      {"version.txt", "psguard " + input.version + "\n"},
                                      {"config.json", pretty(config)},
                                      {"detected.json", pretty(detected)},
                                      {"report.json", pretty(report)},
                                      {"evidence.txt", evidence_excerpts(input.report, anonymiser)},
                                      {"ns-answer.json", pretty(ns)}};
    if (ns_xml) {
        head.push_back({"ns-answer.xml", std::move(*ns_xml)});
    }
    if (input.last_report) {
        head.push_back({"last-report.json", pretty(anonymiser.json(*input.last_report))});
    }
    if (!problems.empty()) {
        head.push_back({"problems.json", pretty(problems)});
    }
    entries.insert(entries.begin(), std::make_move_iterator(head.begin()),
                   std::make_move_iterator(head.end()));
    bundle.originals = anonymiser.originals();
    return bundle;
}

}  // namespace psguard
