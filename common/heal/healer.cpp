#include "heal/healer.hpp"

#include "acl/file_security.hpp"
#include "core/utf8_path.hpp"
#include "heal/path_guard.hpp"
#include "platform/fault_point.hpp"
#include "platform/file_links.hpp"
#include "platform/file_ops.hpp"
#include "platform/sha256.hpp"

namespace psguard {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSnapshotName = "snapshot.xml";
constexpr std::string_view kStatusName = "PackageStatus.xml";

// The entry of `folder` named `name` as Windows would match it (the agent may write
// "Snapshot.xml"); nullopt when there is none.
std::optional<fs::path> find_entry(const fs::path& folder, std::string_view name) {
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        if (same_file_name(it->path().filename(), utf8_to_path(name))) {
            return it->path();
        }
    }
    return std::nullopt;
}

bool exists_nofollow(const fs::path& path) {
    auto probed = probe_entry(path);
    return probed && probed->has_value();
}

nlohmann::json file_list(const std::vector<JournalFile>& files) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& file : files) {
        list.push_back(to_json(file));
    }
    return list;
}

// A copy beside `target`, verified and given `security` (when set), then renamed into place: a
// crash leaves at most a ".partial" file, never a half-written target or one that others own.
Status copy_verified(const fs::path& from, const fs::path& to, const std::string& sha256,
                     const std::optional<FileSecurity>& security) {
    fs::path partial = to;
    partial += ".partial";
    std::error_code ec;
    fs::remove(partial, ec);
    if (auto copied = copy_durably(from, partial); !copied) {
        return copied;
    }
    auto digest = sha256_file(partial);
    if (!digest || digest->sha256 != sha256) {
        fs::remove(partial, ec);
        return fail("the copy of " + path_to_utf8(from) + " does not match its SHA-256");
    }
    if (security) {
        if (auto applied = apply_file_security(partial, *security); !applied) {
            fs::remove(partial, ec);
            return applied;
        }
    }
    auto moved = rename_no_replace(partial, to);
    if (!moved || *moved != MoveResult::moved) {
        fs::remove(partial, ec);
        return fail("cannot put the copy in place at " + path_to_utf8(to));
    }
    return {};
}

}  // namespace

Healer::Healer(PathsConfig paths, HealConfig config, Journal& journal)
    : paths_(std::move(paths)), config_(std::move(config)), journal_(journal) {}

fs::path Healer::quarantine_root() const {
    return paths_.state_dir / "quarantine";
}

Status Healer::move_into_quarantine(const JournalFile& file) {
    std::error_code ec;
    fs::create_directories(file.quarantined.parent_path(), ec);
    if (ec) {
        return fail("cannot create " + path_to_utf8(file.quarantined.parent_path()) + ": " +
                    ec.message());
    }
    auto moved = rename_no_replace(file.original, file.quarantined);
    if (!moved) {
        return moved.error();
    }
    if (*moved == MoveResult::other_volume) {
        // The quarantine copy is psguard's (admin-only); the journal keeps the file's security.
        if (auto copied = copy_verified(file.original, file.quarantined, file.sha256, std::nullopt);
            !copied) {
            return copied;
        }
        if (auto removed = remove_regular_file(file.original); !removed) {
            fs::remove(file.quarantined, ec);  // keep the file in one place only
            return removed;
        }
    }
    return sync_folder(file.original.parent_path());
}

HealActionOutcome Healer::heal(const LocalPackage& package, const std::string& reason,
                               TimePoint now) {
    HealActionOutcome outcome;
    outcome.action_id = journal_.next_action_id(package.id, now);
    const fs::path action_dir = quarantine_root() / outcome.action_id;

    // 1. What would be touched, and is each file safe to touch?
    std::vector<JournalFile> files;
    const std::pair<const fs::path*, std::pair<std::string_view, const char*>> candidates[] = {
        {&package.delivery_dir, {kSnapshotName, "snapshot"}},
        {&package.status_dir, {kStatusName, "package_status"}}};
    for (const auto& [folder, what] : candidates) {
        const auto& [name, role] = what;
        if (folder->empty()) {
            continue;
        }
        auto path = find_entry(*folder, name);
        if (!path) {
            continue;  // already gone: nothing to move for this half
        }
        if (auto safe = check_heal_target(paths_, *path, package.id, name); !safe) {
            outcome.detail = "refused: " + safe.error().message;
            return outcome;
        }
        auto digest = sha256_file(*path);
        if (!digest) {
            outcome.detail = "refused: " + digest.error().message;
            return outcome;
        }
        // Without its owner and permissions on record, a file could not come back as it was.
        auto security = read_file_security(*path);
        if (!security) {
            outcome.detail = "refused: " + security.error().message;
            return outcome;
        }
        JournalFile file;
        file.role = role;
        file.original = *path;
        const char* area = std::string_view(role) == "snapshot" ? "delivery" : "status";
        if (config_.mode == HealMode::quarantine) {
            file.quarantined = action_dir / area / folder->filename() / path->filename();
        }
        file.sha256 = digest->sha256;
        file.size = digest->size;
        file.security = std::move(security).value();
        files.push_back(std::move(file));
    }
    if (files.empty()) {
        outcome.detail = "nothing to remove: neither snapshot.xml nor PackageStatus.xml is there";
        return outcome;
    }

    // 2. The intent, on disk before anything is touched.
    const std::string mode = config_.mode == HealMode::quarantine ? "quarantine" : "delete";
    if (auto written = journal_.append({{"action", outcome.action_id},
                                        {"event", "intent"},
                                        {"package", package.id},
                                        {"mode", mode},
                                        {"reason", reason},
                                        {"files", file_list(files)}},
                                       now);
        !written) {
        outcome.detail = "refused: cannot write the journal: " + written.error().message;
        return outcome;
    }
    fault_point("heal:after_intent");

    // 3. Each file, each step journaled.
    std::vector<const JournalFile*> moved;
    for (const auto& file : files) {
        const Status step = config_.mode == HealMode::quarantine
                                ? move_into_quarantine(file)
                                : remove_regular_file(file.original);
        if (!step) {
            // Put back what was moved; the action is over, nothing lost.
            std::string detail =
                "failed on " + path_to_utf8(file.original) + ": " + step.error().message;
            for (const JournalFile* done : moved) {
                if (auto back = move_back(*done, package.id, false, outcome.action_id, now);
                    !back) {
                    detail += "; could not put back " + path_to_utf8(done->original) + ": " +
                              back.error().message + " (it is in " +
                              path_to_utf8(done->quarantined) + ")";
                }
            }
            (void)journal_.append(
                {{"action", outcome.action_id}, {"event", "failed"}, {"detail", detail}}, now);
            outcome.detail = detail;
            return outcome;
        }
        (void)journal_.append(
            {{"action", outcome.action_id},
             {"event", config_.mode == HealMode::quarantine ? "file_moved" : "file_deleted"},
             {"role", file.role}},
            now);
        moved.push_back(&file);
        fault_point("heal:after_" + file.role);
        outcome.files.push_back(path_to_utf8(file.original));
    }
    (void)journal_.append({{"action", outcome.action_id}, {"event", "files_done"}}, now);
    fault_point("heal:after_files_done");
    outcome.done = true;
    outcome.detail = mode == "quarantine" ? "moved to " + path_to_utf8(action_dir)
                                          : std::string("deleted (hashes in the journal)");
    return outcome;
}

Status Healer::move_back(const JournalFile& file, const std::string& package_id,
                         bool replace_existing, const std::string& action_id, TimePoint now) {
    if (file.quarantined.empty()) {
        return fail("deleted in \"delete\" mode: there is no copy to put back");
    }
    if (!exists_nofollow(file.quarantined)) {
        return fail(path_to_utf8(file.quarantined) + " is no longer in quarantine");
    }
    if (auto folder_ok = check_restore_folder(paths_, file.original.parent_path(), package_id);
        !folder_ok) {
        return folder_ok;
    }
    std::error_code ec;
    if (exists_nofollow(file.original)) {
        if (!replace_existing) {
            return fail(path_to_utf8(file.original) +
                        " exists again (the agent rebuilt it); use --force to replace it");
        }
        // Lose nothing: the rebuilt file goes to quarantine too, beside the one coming back.
        fs::path aside = file.quarantined;
        aside += ".replaced-" + std::to_string(now.time_since_epoch().count());
        auto moved = rename_no_replace(file.original, aside);
        if (!moved || *moved != MoveResult::moved) {
            return fail("cannot move the rebuilt " + path_to_utf8(file.original) + " aside");
        }
        (void)journal_.append({{"action", action_id},
                               {"event", "replaced_kept"},
                               {"role", file.role},
                               {"path", path_to_utf8(aside)}},
                              now);
    }
    fs::create_directories(file.original.parent_path(), ec);
    auto moved = rename_no_replace(file.quarantined, file.original);
    if (!moved) {
        return moved.error();
    }
    if (*moved == MoveResult::other_volume) {
        if (auto copied =
                copy_verified(file.quarantined, file.original, file.sha256, file.security);
            !copied) {
            return copied;
        }
        fs::remove(file.quarantined, ec);
    } else if (file.security) {
        // The same file: its security came along; put back whatever changed in quarantine.
        if (auto applied = apply_file_security(file.original, *file.security); !applied) {
            return fail(path_to_utf8(file.original) +
                        " is back, but not as it was: " + applied.error().message);
        }
    }
    auto digest = sha256_file(file.original);
    if (!digest || digest->sha256 != file.sha256) {
        return fail(path_to_utf8(file.original) +
                    " is back but its SHA-256 differs from the journal");
    }
    return {};
}

std::vector<RecoveryOutcome> Healer::recover(TimePoint now) {
    std::vector<RecoveryOutcome> outcomes;
    for (const auto& action : journal_.actions()) {
        if (action.result != ActionResult::in_progress || action.kind != "files") {
            continue;  // ACL repairs are recovered by the AclRepairer
        }
        std::string detail;
        for (const auto& file : action.files) {
            fs::path partial = file.quarantined;
            partial += ".partial";
            std::error_code ec;
            if (!file.quarantined.empty()) {
                fs::remove(partial, ec);
            }
            const bool original = exists_nofollow(file.original);
            const bool quarantined = !file.quarantined.empty() && exists_nofollow(file.quarantined);
            std::string what;
            if (file.quarantined.empty()) {
                what = original ? "still in place" : "was deleted (delete mode)";
            } else if (quarantined && !original) {
                auto back = move_back(file, action.package, false, action.id, now);
                what = back ? "put back" : "left in quarantine: " + back.error().message;
            } else if (quarantined && original) {
                auto digest = sha256_file(file.original);
                if (digest && digest->sha256 == file.sha256) {
                    fs::remove(file.quarantined, ec);  // a copy whose source was not yet removed
                    what = "in place (duplicate copy removed)";
                } else {
                    what = "in quarantine; the agent rebuilt the original since";
                }
            } else if (original) {
                what = "still in place";
            } else {
                what = "MISSING from both places";
            }
            detail += (detail.empty() ? "" : "; ") + file.role + " " + what;
        }
        (void)journal_.append({{"action", action.id},
                               {"event", "rolled_back"},
                               {"detail", "interrupted; recovered at start: " + detail}},
                              now);
        outcomes.push_back({action.id, detail});
    }
    return outcomes;
}

Status Healer::restore(const std::string& action_id, const RestoreOptions& options, TimePoint now) {
    const auto action = journal_.action(action_id);
    if (!action) {
        return fail("no action " + action_id + " in the journal");
    }
    if (action->kind != "files") {
        return fail("action " + action_id + " is an ACL repair, not a file action");
    }
    if (action->result == ActionResult::restored || action->result == ActionResult::rolled_back ||
        action->result == ActionResult::failed) {
        return fail("action " + action_id + " is " + to_string(action->result) +
                    ": its files are not in quarantine");
    }
    if (action->mode == "delete") {
        return fail("action " + action_id +
                    " deleted its files (\"delete\" mode): nothing to restore");
    }
    std::string detail;
    for (const auto& file : action->files) {
        if (auto back = move_back(file, action->package, options.force, action_id, now); !back) {
            return fail("restore of " + action_id + " stopped: " + back.error().message +
                        (detail.empty() ? "" : " (already restored: " + detail + ")"));
        }
        detail += (detail.empty() ? "" : ", ") + path_to_utf8(file.original);
    }
    // The action's quarantine folder goes once it holds nothing (a replaced file keeps it).
    std::error_code ec;
    const fs::path folder = quarantine_root() / utf8_to_path(action_id);
    bool holds_files = false;
    for (auto it = fs::recursive_directory_iterator(folder, ec);
         !ec && it != fs::recursive_directory_iterator() && !holds_files; it.increment(ec)) {
        holds_files = !it->is_directory(ec);
    }
    if (!holds_files) {
        fs::remove_all(folder, ec);
    }
    return journal_.append(
        {{"action", action_id}, {"event", "restored"}, {"detail", "restored " + detail}}, now);
}

std::vector<std::string> Healer::prune_quarantine(TimePoint now) {
    std::vector<std::string> pruned;
    for (const auto& action : journal_.actions()) {
        const bool finished = action.result != ActionResult::in_progress &&
                              action.result != ActionResult::awaiting_verification;
        if (!finished || now - action.time < config_.quarantine_retention) {
            continue;
        }
        const fs::path folder = quarantine_root() / utf8_to_path(action.id);
        auto entry = probe_entry(folder);
        if (!entry || !entry->has_value() || (*entry)->link != LinkKind::none) {
            continue;
        }
        std::error_code ec;
        fs::remove_all(folder, ec);
        if (!ec) {
            pruned.push_back(action.id);
        }
    }
    return pruned;
}

}  // namespace psguard
