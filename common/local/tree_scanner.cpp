#include "local/tree_scanner.hpp"
#include "core/ascii.hpp"
#include "core/utf8_path.hpp"

#include <algorithm>
#include <exception>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "core/guid.hpp"
#include "core/result.hpp"
#include "local/package_storage.hpp"
#include "local/status_parser.hpp"
#include "platform/directory_handle.hpp"
#include "platform/file_links.hpp"

namespace psguard {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kSnapshotFile = "snapshot.xml";
constexpr std::string_view kStatusFile = "packagestatus.xml";
constexpr std::string_view kCacheFolder = "cache";

std::string show(const fs::path& path) {
    return path_to_utf8(path);
}

// Characters, not bytes: UTF-8 continuation bytes do not count.
std::size_t char_count(std::string_view utf8) {
    return static_cast<std::size_t>(std::count_if(utf8.begin(), utf8.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

void append_reason(std::optional<std::string>& reason, const std::string& text) {
    if (reason) {
        *reason += "; " + text;
    } else {
        reason = text;
    }
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
    std::string joined;
    for (const std::string& part : parts) {
        if (!joined.empty()) {
            joined += separator;
        }
        joined += part;
    }
    return joined;
}

// A UTF-8 name from a document as a path. Invalid UTF-8 cannot name a Windows file (and the
// conversion would throw there): nullopt.
std::optional<fs::path> path_from_utf8(std::string_view utf8) {
    try {
        return fs::path(std::u8string(reinterpret_cast<const char8_t*>(utf8.data()), utf8.size()));
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::vector<std::string> split_name(std::string_view name) {
    std::vector<std::string> components;
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t end = start;
        while (end < name.size() && name[end] != '\\' && name[end] != '/') {
            ++end;
        }
        std::string component(name.substr(start, end - start));
        if (!component.empty() && component != ".") {
            components.push_back(std::move(component));
        }
        start = end + 1;
    }
    return components;
}

void sort_names(std::vector<fs::path>& names) {
    std::sort(names.begin(), names.end(),
              [](const fs::path& a, const fs::path& b) { return a.native() < b.native(); });
}

Result<std::vector<fs::path>> list_names(const fs::path& dir) {
    auto names = list_folder_names(dir);
    if (names) {
        sort_names(names.value());
    }
    return names;
}

// The same through an open folder (same order, same error).
Result<std::vector<fs::path>> list_names(const OpenDirectory& dir) {
    auto names = list_directory(dir);
    if (names) {
        sort_names(names.value());
    }
    return names;
}

// The folder `opened` holds, for a folder the scan has just found to be a plain folder (or
// resolved a link to); any other answer means it changed since, and says how.
Result<OpenDirectory> checked_folder(Result<std::optional<OpenedEntry>> opened,
                                     const fs::path& path) {
    if (!opened) {
        return opened.error();
    }
    if (!opened.value()) {
        return fail(show(path) + " vanished while scanning");
    }
    OpenedEntry& entry = *opened.value();
    if (entry.dir) {
        return std::move(*entry.dir);
    }
    if (entry.info.link != LinkKind::none) {
        return fail(show(path) + " is a " + to_string(entry.info.link) + "; not followed");
    }
    return fail(show(path) + " is not a folder");
}

// The one entry of `names` equal to `lower_name` in any case (Windows names are
// case-insensitive; a case-sensitive file system may hold several: an error).
Result<std::optional<fs::path>> find_one(const std::vector<fs::path>& names,
                                         std::string_view lower_name, const fs::path& dir) {
    std::vector<fs::path> matches;
    for (const fs::path& name : names) {
        if (ascii_lower(show(name)) == lower_name) {
            matches.push_back(name);
        }
    }
    if (matches.size() > 1) {
        std::vector<std::string> shown;
        for (const fs::path& match : matches) {
            shown.push_back(show(match));
        }
        return fail(std::to_string(matches.size()) + " entries named " + std::string(lower_name) +
                    " in different cases in " + show(dir) + ": " + join(shown, ", "));
    }
    if (matches.empty()) {
        return std::optional<fs::path>{};
    }
    return std::optional<fs::path>{matches.front()};
}

std::string describe_entry(const Result<std::optional<EntryInfo>>& probed) {
    if (!probed) {
        return "an entry that cannot be inspected (" + probed.error().message + ")";
    }
    if (!probed.value()) {
        return "an entry that vanished while scanning";
    }
    const EntryInfo& info = *probed.value();
    if (info.link != LinkKind::none) {
        return std::string("a ") + to_string(info.link);
    }
    if (info.is_directory) {
        return "a folder";
    }
    return info.is_regular_file ? "a file" : "a special file";
}

struct StorageRoot {
    fs::path configured;
    fs::path lexical;    // absolute, lexically normal
    fs::path canonical;  // every link resolved; empty when it cannot be resolved (missing)
};

// Whether a link may be read through, and the folder to read when it may.
struct LinkDecision {
    std::optional<fs::path> read_dir;
    std::string description;  // "junction to D:\Store\{...}, inside the allow-listed ..."
};

enum class CacheProblemKind { incomplete, unreadable };
struct CacheProblem {
    CacheProblemKind kind;
    std::string text;
};

class Scanner {
  public:
    // `only`: the package ids to scan (incremental re-scan); nullptr scans everything.
    // `names`: with `only`, the entry names to look at in each root instead of listing it.
    Scanner(const PathsConfig& paths, const ParseConfig& parse,
            const std::set<std::string>* only = nullptr, const std::set<fs::path>* names = nullptr)
        : paths_(paths), parse_(parse), only_(only), names_(names) {
        // The allow-list is canonicalised once per scan.
        for (const fs::path& configured : paths_.storage_roots) {
            if (configured.empty()) {
                continue;
            }
            StorageRoot root;
            root.configured = configured;
            std::error_code ec;
            const fs::path absolute = fs::absolute(configured, ec);
            root.lexical = ec ? fs::path() : absolute.lexically_normal();
            const fs::path canonical = fs::canonical(configured, ec);
            root.canonical = ec ? fs::path() : canonical.lexically_normal();
            roots_.push_back(std::move(root));
        }
    }

    LocalScan run() {
        scan_.delivery_root = paths_.package_delivery;
        scan_.status_root = paths_.package_status;
        try {
            scan_side(paths_.package_delivery, true);
            scan_side(paths_.package_status, false);
        } catch (const std::exception& error) {
            add_finding(ScanFindingKind::root_unreadable, {},
                        std::string("scan aborted: ") + error.what());
        } catch (...) {
            add_finding(ScanFindingKind::root_unreadable, {}, "scan aborted: unknown error");
        }
        return std::move(scan_);
    }

  private:
    void add_finding(ScanFindingKind kind, const fs::path& path, std::string detail) {
        scan_.findings.push_back(ScanFinding{kind, path, std::move(detail)});
    }

    LocalPackage& package(const std::string& id) { return scan_.packages[id]; }

    const StorageRoot* allowing_root(const fs::path& target, bool canonical_only) const {
        for (const StorageRoot& root : roots_) {
            if ((!canonical_only && !root.lexical.empty() && path_within(root.lexical, target)) ||
                (!root.canonical.empty() && path_within(root.canonical, target))) {
                return &root;
            }
        }
        return nullptr;
    }

    LinkDecision decide_link(const fs::path& link, LinkKind kind) const {
        const std::string what = to_string(kind);
        auto target = link_target(link);
        if (!target) {
            return {std::nullopt,
                    what + " whose target cannot be read (" + target.error().message + ")"};
        }
        const std::string to = what + " to " + show(*target);
        const StorageRoot* root = allowing_root(*target, false);
        if (root == nullptr) {
            return {std::nullopt, to + ", outside the allow-listed storage roots"};
        }
        // The lexical target is allowed; it must also stay inside once every link on the way is
        // resolved (an allow-listed root could itself hold a link pointing elsewhere).
        std::error_code ec;
        const fs::path resolved = fs::canonical(*target, ec);
        if (ec) {
            return {std::nullopt, to + ", which cannot be resolved (" + ec.message() + ")"};
        }
        root = allowing_root(resolved.lexically_normal(), true);
        if (root == nullptr) {
            return {std::nullopt, to + ", which resolves to " + show(resolved) +
                                      ", outside the allow-listed storage roots"};
        }
        auto probed = probe_entry(resolved);
        if (!probed || !probed.value() || probed.value()->link != LinkKind::none ||
            !probed.value()->is_directory) {
            return {std::nullopt, to + ", which is not a plain folder"};
        }
        return {resolved, to + ", inside the allow-listed storage root " + show(root->configured)};
    }

    // The folder to enumerate for a root, or nullopt (with a finding) when it cannot be.
    std::optional<fs::path> open_root(const fs::path& root, const std::string& label) {
        if (root.empty()) {
            add_finding(ScanFindingKind::root_missing, root, label + " folder is not configured");
            return std::nullopt;
        }
        auto probed = probe_entry(root);
        if (!probed) {
            add_finding(ScanFindingKind::root_unreadable, root, probed.error().message);
            return std::nullopt;
        }
        if (!probed.value()) {
            add_finding(ScanFindingKind::root_missing, root, label + " folder does not exist");
            return std::nullopt;
        }
        const EntryInfo& info = *probed.value();
        if (info.link != LinkKind::none) {
            LinkDecision decision = decide_link(root, info.link);
            if (!decision.read_dir) {
                add_finding(
                    ScanFindingKind::reparse_point, root,
                    label + " folder is a " + decision.description +
                        "; not followed: psguard reads, checks and heals nothing through it (only "
                        "a link into an allow-listed storage root, paths.storage_roots, is)");
                return std::nullopt;
            }
            add_finding(ScanFindingKind::followed_link, root,
                        label + " folder is a " + decision.description + "; read through");
            return decision.read_dir;
        }
        if (!info.is_directory) {
            add_finding(ScanFindingKind::root_unreadable, root,
                        label + " folder is " + describe_entry(probed) + ", not a folder");
            return std::nullopt;
        }
        return root;
    }

    struct Candidate {
        fs::path name;
        Result<std::optional<EntryInfo>> info;
    };

    void scan_side(const fs::path& root, bool delivery) {
        const std::string label = delivery ? "Package Delivery" : "PackageStatus";
        const std::optional<fs::path> dir = open_root(root, label);
        if (!dir) {
            return;
        }
        auto names = names_ != nullptr ? Result<std::vector<fs::path>>(
                                             std::vector<fs::path>(names_->begin(), names_->end()))
                                       : list_names(*dir);
        if (!names) {
            add_finding(ScanFindingKind::root_unreadable, root, names.error().message);
            return;
        }

        std::map<std::string, std::vector<Candidate>> by_id;
        for (const fs::path& name : names.value()) {
            const fs::path agent_path = root / name;
            const std::optional<std::string> id = normalise_guid(show(name));
            if (only_ != nullptr && (!id || !only_->contains(*id))) {
                continue;  // not asked for: the caller keeps what it knew of this entry
            }
            Result<std::optional<EntryInfo>> probed = probe_entry(*dir / name);
            if (!id) {
                add_finding(ScanFindingKind::unexpected_entry, agent_path,
                            describe_entry(probed) +
                                " whose name is not a braced package GUID; left alone");
                continue;
            }
            if (probed && probed.value() && probed.value()->link == LinkKind::none &&
                !probed.value()->is_directory) {
                add_finding(ScanFindingKind::unexpected_entry, agent_path,
                            describe_entry(probed) +
                                " named like a package; package folders are folders; left alone");
                continue;
            }
            if (probed && !probed.value()) {
                continue;  // vanished between listing and inspection: absent
            }
            by_id[*id].push_back(Candidate{name, std::move(probed)});
        }

        for (auto& [id, candidates] : by_id) {
            LocalPackage& pkg = package(id);
            PackageFolder& recorded = delivery ? pkg.delivery_folder : pkg.status_folder;
            const auto record = [&](const fs::path& folder) {
                recorded = PackageFolder::found(root, id, folder);
            };
            const fs::path agent_dir = root / candidates.front().name;
            if (candidates.size() > 1) {
                std::vector<std::string> shown;
                for (const Candidate& candidate : candidates) {
                    shown.push_back(show(candidate.name));
                }
                const std::string text =
                    (candidates.size() == 2 ? std::string("two")
                                            : std::to_string(candidates.size())) +
                    " folders for one package: " + join(shown, ", ");
                add_finding(ScanFindingKind::duplicate_package, agent_dir, text);
                record(agent_dir);
                append_reason(pkg.unreadable_reason, text + " (in " + show(root) + ")");
                continue;
            }
            const Candidate& candidate = candidates.front();
            if (!candidate.info) {
                record(agent_dir);
                append_reason(pkg.unreadable_reason, candidate.info.error().message);
                continue;
            }
            fs::path read_dir = *dir / candidate.name;
            const LinkKind link = candidate.info.value()->link;
            if (link != LinkKind::none) {
                LinkDecision decision = decide_link(read_dir, link);
                if (!decision.read_dir) {
                    add_finding(ScanFindingKind::reparse_point, agent_dir,
                                decision.description + "; not followed");
                    record(agent_dir);
                    append_reason(pkg.unreadable_reason, label + " folder " + show(agent_dir) +
                                                             " is a " + decision.description +
                                                             "; not followed");
                    continue;
                }
                add_finding(ScanFindingKind::followed_link, agent_dir,
                            decision.description + "; read through");
                read_dir = std::move(*decision.read_dir);
            }
            record(read_dir);
            if (delivery) {
                read_delivery(pkg, read_dir, agent_dir);
            } else {
                read_status(pkg, read_dir);
            }
        }
    }

    // Reads and parses one of the package's XML files; nullopt with a reason when it cannot.
    // `folder` is the package's folder, held open: the file is looked up and opened by its name
    // inside it (directory_handle.hpp).
    template <typename Document, typename Parse>
    std::optional<Document> read_document(LocalPackage& pkg, const OpenDirectory& folder,
                                          const fs::path& name, Parse parse) {
        const fs::path& dir = folder.path();
        const fs::path file = folder.child_path(name);
        auto probed = probe_entry_at(folder, name);
        if (!probed) {
            append_reason(pkg.unreadable_reason, probed.error().message);
            return std::nullopt;
        }
        if (!probed.value()) {
            append_reason(pkg.incomplete_reason, show(name) + " missing in " + show(dir));
            return std::nullopt;
        }
        const EntryInfo& info = *probed.value();
        if (info.link != LinkKind::none) {
            append_reason(pkg.unreadable_reason,
                          show(file) + " is a " + to_string(info.link) + "; not followed");
            return std::nullopt;
        }
        if (!info.is_regular_file) {
            append_reason(pkg.unreadable_reason, show(file) + " is not a regular file");
            return std::nullopt;
        }
        // read_file_capped's cap and messages, relative to the folder.
        auto bytes = read_file_nofollow_at(folder, name, parse_.max_file_bytes);
        if (!bytes) {
            append_reason(pkg.unreadable_reason, show(file) + ": " + bytes.error().message);
            return std::nullopt;
        }
        auto document = parse(bytes.value());
        if (!document) {
            append_reason(pkg.unreadable_reason, show(file) + ": " + document.error().message);
            return std::nullopt;
        }
        return std::move(document.value());
    }

    // The package's folder is opened once and everything inside it is looked up relative to it:
    // one name per lookup instead of the whole path again, and what is read is inside the
    // folder scan_side checked, even if it is renamed or replaced by a link meanwhile (POSIX;
    // Windows keeps the path, see directory_handle.hpp).
    void read_status(LocalPackage& pkg, const fs::path& dir) {
        auto folder = checked_folder(open_directory(dir), dir);
        if (!folder) {
            append_reason(pkg.unreadable_reason, folder.error().message);
            return;
        }
        auto names = list_names(folder.value());
        if (!names) {
            append_reason(pkg.unreadable_reason, names.error().message);
            return;
        }
        auto file = find_one(names.value(), kStatusFile, dir);
        if (!file) {
            append_reason(pkg.unreadable_reason, file.error().message);
            return;
        }
        if (!file.value()) {
            append_reason(pkg.incomplete_reason, "PackageStatus.xml missing in " + show(dir));
            return;
        }
        pkg.package_status = read_document<StatusDocument>(
            pkg, folder.value(), *file.value(),
            [this](std::string_view bytes) { return parser_.parse_status(bytes); });
    }

    // As read_status: the package's folder opened once.
    void read_delivery(LocalPackage& pkg, const fs::path& dir, const fs::path& agent_dir) {
        auto folder = checked_folder(open_directory(dir), dir);
        if (!folder) {
            append_reason(pkg.unreadable_reason, folder.error().message);
            return;
        }
        auto names = list_names(folder.value());
        if (!names) {
            append_reason(pkg.unreadable_reason, names.error().message);
            return;
        }
        auto file = find_one(names.value(), kSnapshotFile, dir);
        if (!file) {
            append_reason(pkg.unreadable_reason, file.error().message);
            return;
        }
        if (!file.value()) {
            append_reason(pkg.incomplete_reason, "snapshot.xml missing in " + show(dir));
            return;
        }
        std::optional<SnapshotDocument> snapshot = read_document<SnapshotDocument>(
            pkg, folder.value(), *file.value(),
            [this](std::string_view bytes) { return parser_.parse_snapshot(bytes); });
        if (!snapshot) {
            return;
        }
        if (!snapshot->files.empty()) {
            check_package_files(pkg, *snapshot, folder.value(), agent_dir, names.value());
        }
        pkg.snapshot = SnapshotSummary{std::move(snapshot->version)};
    }

    // Where the snapshot's files are, then each of them (sizes, path lengths).
    void check_package_files(LocalPackage& pkg, const SnapshotDocument& snapshot,
                             const OpenDirectory& folder, const fs::path& agent_dir,
                             const std::vector<fs::path>& names) {
        const fs::path& dir = folder.path();
        const RecordedStorage recorded{"snapshot.xml", snapshot.custom_location, snapshot.location};
        const StoragePlan plan = plan_package_storage(agent_dir, std::span(&recorded, 1));
        if (plan.kind == StorageKind::relocated) {
            check_relocated(pkg, snapshot.files, folder, agent_dir, names, plan);
            return;
        }
        auto cache = find_one(names, kCacheFolder, dir);
        if (!cache) {
            append_reason(pkg.incomplete_reason, cache.error().message);
            return;
        }
        if (!cache.value()) {
            if (plan.kind == StorageKind::unknown) {
                check_unrecorded_location(pkg, snapshot.files, agent_dir, plan);
                return;
            }
            append_reason(pkg.incomplete_reason,
                          "cache folder missing in " + show(dir) + " (snapshot.xml lists " +
                              std::to_string(snapshot.files.size()) + " files)");
            return;
        }
        const fs::path& cache_name = *cache.value();
        if (std::optional<OpenDirectory> cache_dir = open_cache_folder(pkg, folder, cache_name)) {
            check_files(pkg, snapshot.files, *cache_dir, agent_dir / cache_name, show(cache_name));
        }
    }

    // The package's cache folder, opened inside the package's folder (once per package: each
    // file the snapshot lists is then looked up from it); nullopt with the reason when it is
    // not a plain folder.
    static std::optional<OpenDirectory> open_cache_folder(LocalPackage& pkg,
                                                          const OpenDirectory& folder,
                                                          const fs::path& cache_name) {
        const fs::path cache_dir = folder.child_path(cache_name);
        auto opened = open_directory_at(folder, cache_name);
        if (!opened || !opened.value()) {
            append_reason(pkg.unreadable_reason, opened
                                                     ? show(cache_dir) + " vanished while scanning"
                                                     : opened.error().message);
            return std::nullopt;
        }
        OpenedEntry& entry = *opened.value();
        if (entry.info.link != LinkKind::none) {
            append_reason(pkg.incomplete_reason,
                          show(cache_dir) + " is a " + to_string(entry.info.link) +
                              "; not followed (a link is read through only into a folder listed "
                              "in paths.storage_roots or the location snapshot.xml records)");
            return std::nullopt;
        }
        if (!entry.dir) {
            append_reason(pkg.incomplete_reason, show(cache_dir) + " is not a folder");
            return std::nullopt;
        }
        return std::move(entry.dir);
    }

    // The files live in a folder the agent records. A `cache` link in the package folder that
    // points into it is read through (the agent made it); the folder itself is read as recorded,
    // or through a link into a storage root. Its absence is the package's, not the cache's.
    void check_relocated(LocalPackage& pkg, const std::vector<SnapshotFile>& files,
                         const OpenDirectory& folder, const fs::path& agent_dir,
                         const std::vector<fs::path>& names, const StoragePlan& plan) {
        const fs::path& dir = folder.path();
        const fs::path& location = plan.files_dir;
        const std::string recorded =
            show(location) + " (the storage location " + plan.source + " records)";
        if (auto cache = find_one(names, kCacheFolder, dir); cache && cache.value()) {
            const fs::path link = folder.child_path(*cache.value());
            auto probed = probe_entry_at(folder, *cache.value());
            if (probed && probed.value() && probed.value()->link != LinkKind::none) {
                if (auto target = link_target(link); target && path_within(location, *target)) {
                    add_finding(ScanFindingKind::followed_link, agent_dir / *cache.value(),
                                std::string(to_string(probed.value()->link)) + " to " +
                                    show(*target) + ", inside " + recorded + "; read through");
                } else {
                    add_finding(ScanFindingKind::reparse_point, agent_dir / *cache.value(),
                                std::string(to_string(probed.value()->link)) + " outside " +
                                    recorded + "; not followed");
                }
            }
        }
        auto opened = open_directory(location);
        if (!opened) {
            append_reason(pkg.unreadable_reason,
                          "the package's files live in " + recorded + ", which cannot be read (" +
                              opened.error().message +
                              "); grant psguard read access there, or list the folder that holds "
                              "it in paths.storage_roots");
            return;
        }
        if (!opened.value()) {
            append_reason(pkg.incomplete_reason,
                          "the package's files live in " + recorded + ", which is missing");
            return;
        }
        OpenedEntry& entry = *opened.value();
        if (entry.info.link != LinkKind::none) {
            LinkDecision decision = decide_link(location, entry.info.link);
            if (!decision.read_dir) {
                append_reason(pkg.unreadable_reason,
                              recorded + " is a " + decision.description +
                                  "; not followed: list its target in paths.storage_roots");
                return;
            }
            auto files_dir = checked_folder(open_directory(*decision.read_dir), *decision.read_dir);
            if (!files_dir) {
                append_reason(pkg.unreadable_reason, files_dir.error().message);
                return;
            }
            check_files(pkg, files, files_dir.value(), location, show(location));
            return;
        }
        if (!entry.dir) {
            append_reason(pkg.incomplete_reason, recorded + " is not a folder");
            return;
        }
        check_files(pkg, files, *entry.dir, location, show(location));
    }

    // The agent flags a custom location but records no folder psguard can use: look for the
    // package's folder in the configured storage roots (<root>\{guid}, its cache folder when it
    // has one); without it, say what to configure.
    void check_unrecorded_location(LocalPackage& pkg, const std::vector<SnapshotFile>& files,
                                   const fs::path& agent_dir, const StoragePlan& plan) {
        for (const StorageRoot& root : roots_) {
            const fs::path candidate = root.configured / agent_dir.filename();
            auto probed = probe_entry(candidate);
            if (!probed || !probed.value()) {
                continue;
            }
            fs::path folder = candidate;
            if (probed.value()->link != LinkKind::none) {
                LinkDecision decision = decide_link(candidate, probed.value()->link);
                if (!decision.read_dir) {
                    continue;
                }
                folder = std::move(*decision.read_dir);
            } else if (!probed.value()->is_directory) {
                continue;
            }
            auto opened = checked_folder(open_directory(folder), folder);
            if (!opened) {
                append_reason(pkg.unreadable_reason, opened.error().message);
                return;
            }
            auto names = list_names(opened.value());
            auto cache = names ? find_one(names.value(), kCacheFolder, folder)
                               : Result<std::optional<fs::path>>(names.error());
            if (cache && cache.value()) {
                if (std::optional<OpenDirectory> cache_dir =
                        open_cache_folder(pkg, opened.value(), *cache.value())) {
                    check_files(pkg, files, *cache_dir, candidate / *cache.value(),
                                show(candidate / *cache.value()));
                }
            } else {
                check_files(pkg, files, opened.value(), candidate, show(candidate));
            }
            return;
        }
        append_reason(pkg.unreadable_reason,
                      plan.source +
                          " marks the package as stored in a custom location but records no "
                          "folder psguard can use, and no cache folder is here; its files were not "
                          "checked: list the storage folder in paths.storage_roots (psguard then "
                          "looks for <root>/" +
                          show(agent_dir.filename()) +
                          "), or point parse.snapshot_location_xpath at the recorded location");
    }

    // Checks each file the snapshot lists in `files_dir` (where it is read); path lengths are
    // measured on `agent_files_dir`, the path the agent itself uses (links included); names are
    // shown under `label`.
    void check_files(LocalPackage& pkg, const std::vector<SnapshotFile>& files,
                     const OpenDirectory& files_dir, const fs::path& agent_files_dir,
                     const std::string& label) {
        std::optional<std::string> long_path;
        std::optional<CacheProblem> problem;
        for (const SnapshotFile& file : files) {
            const std::vector<std::string> components = split_name(file.name);
            const std::string shown = label + "/" + join(components, "/");
            // The path the agent itself uses: through the configured root, links included.
            std::size_t length = char_count(show(agent_files_dir));
            for (const std::string& component : components) {
                length += 1 + char_count(component);
            }
            if (length > kAgentMaxPathChars && !long_path) {
                long_path = shown + ": the full path is " + std::to_string(length) +
                            " characters, over the " + std::to_string(kAgentMaxPathChars) +
                            " the agent handles (a known cause of Invalid packages)";
            }
            problem = check_cache_file(files_dir, shown, components, file.size);
            if (problem) {
                break;
            }
        }
        if (problem) {
            append_reason(problem->kind == CacheProblemKind::unreadable ? pkg.unreadable_reason
                                                                        : pkg.incomplete_reason,
                          problem->text);
        }
        if (long_path) {
            append_reason(pkg.incomplete_reason, *long_path);
        }
    }

    // Walks the file's components from the open cache folder, one name per lookup: each folder
    // on the way is opened inside the one before it (never through a link) and the file is
    // probed inside the last, so nothing is looked up by its whole path, and no folder can be
    // swapped for a link between being checked and being looked into (POSIX; Windows goes by
    // the joined paths, directory_handle.hpp).
    static std::optional<CacheProblem> check_cache_file(const OpenDirectory& cache_dir,
                                                        const std::string& shown,
                                                        const std::vector<std::string>& components,
                                                        std::uint64_t expected_size) {
        if (components.empty()) {
            return CacheProblem{CacheProblemKind::unreadable,
                                "snapshot.xml lists a file with an empty name"};
        }
        const OpenDirectory* current = &cache_dir;
        std::optional<OpenDirectory> subfolder;  // the folder opened last on the way, if any
        std::string walked = show(cache_dir.path().filename());
        for (std::size_t i = 0; i < components.size(); ++i) {
            const std::string& component = components[i];
            if (component == ".." || component.find(':') != std::string::npos) {
                return CacheProblem{CacheProblemKind::unreadable,
                                    shown + " is not a path inside the cache folder"};
            }
            const std::optional<fs::path> part = path_from_utf8(component);
            if (!part) {
                return CacheProblem{CacheProblemKind::unreadable,
                                    shown + " is not a valid file name"};
            }
            walked += "/" + component;
            const bool last = i + 1 == components.size();
            if (!last) {
                auto opened = open_directory_at(*current, *part);
                if (!opened) {
                    return CacheProblem{CacheProblemKind::unreadable, opened.error().message};
                }
                if (!opened.value()) {
                    return CacheProblem{CacheProblemKind::incomplete, shown + " missing"};
                }
                OpenedEntry& entry = *opened.value();
                if (entry.info.link != LinkKind::none) {
                    return CacheProblem{
                        CacheProblemKind::incomplete,
                        walked + " is a " + to_string(entry.info.link) + "; not followed"};
                }
                if (!entry.dir) {
                    return CacheProblem{CacheProblemKind::incomplete, walked + " is not a folder"};
                }
                subfolder = std::move(entry.dir);
                current = &*subfolder;
                continue;
            }
            auto probed = probe_entry_at(*current, *part);
            if (!probed) {
                return CacheProblem{CacheProblemKind::unreadable, probed.error().message};
            }
            if (!probed.value()) {
                return CacheProblem{CacheProblemKind::incomplete, shown + " missing"};
            }
            const EntryInfo& info = *probed.value();
            if (info.link != LinkKind::none) {
                return CacheProblem{CacheProblemKind::incomplete,
                                    walked + " is a " + to_string(info.link) + "; not followed"};
            }
            if (!info.is_regular_file) {
                return CacheProblem{CacheProblemKind::incomplete, shown + " is not a regular file"};
            }
            if (info.size != expected_size) {
                return CacheProblem{CacheProblemKind::incomplete,
                                    shown + " is " + std::to_string(info.size) +
                                        " bytes, snapshot says " + std::to_string(expected_size)};
            }
        }
        return std::nullopt;
    }

    const PathsConfig& paths_;
    const ParseConfig& parse_;
    DocumentParser parser_{parse_};  // the XPaths compiled once per scan
    const std::set<std::string>* only_;
    const std::set<fs::path>* names_;
    std::vector<StorageRoot> roots_;
    LocalScan scan_;
};

}  // namespace

namespace {

LocalScan run_scanner(const PathsConfig& paths, const ParseConfig& parse,
                      const std::set<std::string>* only, const std::set<fs::path>* names) {
    try {
        return Scanner(paths, parse, only, names).run();
    } catch (...) {
        // Only allocation failures can get here (the Scanner catches the rest itself).
        LocalScan scan;
        scan.findings.push_back(
            ScanFinding{ScanFindingKind::root_unreadable, {}, "scan aborted: out of memory"});
        return scan;
    }
}

}  // namespace

LocalScan scan_local_state(const PathsConfig& paths, const ParseConfig& parse) {
    return run_scanner(paths, parse, nullptr, nullptr);
}

LocalScan scan_local_packages(const PathsConfig& paths, const ParseConfig& parse,
                              const std::set<std::string>& package_ids) {
    return run_scanner(paths, parse, &package_ids, nullptr);
}

LocalScan scan_named_packages(const PathsConfig& paths, const ParseConfig& parse,
                              const std::set<std::string>& package_ids,
                              const std::set<std::filesystem::path>& folder_names) {
    return run_scanner(paths, parse, &package_ids, &folder_names);
}

}  // namespace psguard
