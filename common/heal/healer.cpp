#include "heal/healer.hpp"

#include <algorithm>
#include <cctype>

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

// The file name and the quarantine area of each role.
struct Role {
    std::string_view name;
    const char* area;
};

Role role_of(FileRole role) {
    return role == FileRole::snapshot ? Role{kSnapshotName, "delivery"}
                                      : Role{kStatusName, "status"};
}

// Action ids are psguard's own ("20261126T063000Z-6c821f5e-7"): one plain name, so that the
// quarantine folder of an id from the journal can never lie outside the quarantine.
bool is_action_id(std::string_view id) {
    return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
    });
}

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

// A copy beside `target`, verified and given `security` (when set), then renamed into place: a
// crash leaves at most a ".partial" file, never a half-written target or one that others own.
Status copy_verified(const fs::path& from, const fs::path& to, const std::string& sha256,
                     const std::optional<FileSecurity>& security) {
    fs::path partial = to;
    partial += ".partial";
    std::error_code ec;
    fs::remove(partial, ec);
    if (auto copied = copy_durably(from, partial); !copied) {
        fs::remove(partial, ec);  // a full disk: nothing half-written stays behind
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

std::optional<fs::path> Healer::quarantine_folder(const std::string& action_id) const {
    if (!is_action_id(action_id)) {
        return std::nullopt;
    }
    return quarantine_root() / utf8_to_path(action_id);
}

std::optional<fs::path> Healer::quarantine_path(const std::string& action_id,
                                                const JournalFile& file) const {
    const auto folder = quarantine_folder(action_id);
    if (!folder) {
        return std::nullopt;
    }
    return *folder / role_of(file.role).area / file.original.parent_path().filename() /
           file.original.filename();
}

Status Healer::check_quarantined(const std::string& action_id, const JournalFile& file) const {
    const auto expected = quarantine_path(action_id, file);
    if (!expected) {
        return fail("\"" + action_id +
                    "\" is not an action id psguard makes: nothing is taken from the quarantine");
    }
    if (auto where = check_quarantine_source(quarantine_root(), file.quarantined, *expected);
        !where) {
        return fail("refusing to take " + path_to_utf8(file.quarantined) +
                    " out of the quarantine: " + where.error().message);
    }
    auto digest = sha256_file(file.quarantined);
    if (!digest) {
        return digest.error();
    }
    if (digest->sha256 != file.sha256) {
        return fail(path_to_utf8(file.quarantined) +
                    " is not the file the journal recorded (its SHA-256 differs): refusing to "
                    "put it back");
    }
    return {};
}

Status Healer::check_destination(const std::string& package_id, const JournalFile& file) const {
    if (!same_file_name(file.original.filename(), utf8_to_path(role_of(file.role).name))) {
        return fail(path_to_utf8(file.original) +
                    ": psguard only ever puts back snapshot.xml and PackageStatus.xml");
    }
    return check_restore_folder(paths_, file.original.parent_path(), package_id);
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

HealActionOutcome Healer::heal(const HealTarget& package, const std::string& reason,
                               TimePoint now) {
    const std::string& package_id = package.id;
    HealActionOutcome outcome;
    // Never an id whose quarantine folder exists (left by an action of an emptied journal).
    outcome.action_id = journal_.next_action_id(package_id, now, [&](const std::string& id) {
        const auto folder = quarantine_folder(id);
        return folder && exists_nofollow(*folder);
    });
    const auto action_folder = quarantine_folder(outcome.action_id);
    if (!action_folder) {
        outcome.detail = "refused: " + outcome.action_id + " cannot name a quarantine folder";
        return outcome;
    }
    const fs::path& action_dir = *action_folder;

    // 1. What would be touched, and is each file safe to touch?
    std::vector<JournalFile> files;
    const std::pair<fs::path, FileRole> candidates[] = {
        {package.delivery_dir, FileRole::snapshot}, {package.status_dir, FileRole::package_status}};
    for (const auto& [folder, role] : candidates) {
        const std::string_view name = role_of(role).name;
        if (folder.empty()) {
            continue;
        }
        auto path = find_entry(folder, name);
        if (!path) {
            continue;  // already gone: nothing to move for this half
        }
        if (auto safe = check_heal_target(paths_, *path, package_id, name); !safe) {
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
        if (config_.mode == HealMode::quarantine) {
            file.quarantined = *quarantine_path(outcome.action_id, file);
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
    const bool quarantine = config_.mode == HealMode::quarantine;
    IntentEvent intent;
    intent.mode = quarantine ? ActionMode::quarantine : ActionMode::remove;
    intent.reason = reason;
    intent.package = package_id;
    intent.files = files;
    if (auto written = journal_.append(outcome.action_id, std::move(intent), now); !written) {
        outcome.detail = "refused: cannot write the journal: " + written.error().message;
        return outcome;
    }
    fault_point("heal:after_intent");

    // 3. Each file, each step journaled. A failed step, or a step the journal cannot record,
    // stops the action where it stands.
    std::vector<const JournalFile*> moved;
    std::optional<std::string> unrecorded;  // why the journal could not record a step
    for (const auto& file : files) {
        const Status step =
            quarantine ? move_into_quarantine(file) : remove_regular_file(file.original);
        if (!step) {
            undo(outcome, moved, package_id,
                 "failed on " + path_to_utf8(file.original) + ": " + step.error().message, now);
            return outcome;
        }
        moved.push_back(&file);
        outcome.files.push_back(path_to_utf8(file.original));
        if (auto written =
                journal_.append(outcome.action_id, FileDoneEvent{file.role, !quarantine}, now);
            !written) {
            unrecorded = written.error().message;
            break;
        }
        fault_point("heal:after_" + std::string(to_string(file.role)));
    }
    if (!unrecorded) {
        if (auto written =
                journal_.append(outcome.action_id, OutcomeEvent{Outcome::files_done}, now);
            !written) {
            unrecorded = written.error().message;
        } else {
            fault_point("heal:after_files_done");
        }
    }
    if (unrecorded && moved.size() < files.size()) {
        // Half an action that cannot be recorded: undone now (the intent on disk lets the next
        // start finish the undo after a crash).
        undo(outcome, moved, package_id,
             "stopped: the journal cannot be written (" + *unrecorded + ")", now);
        return outcome;
    }
    outcome.done = true;
    outcome.detail = quarantine ? "moved to " + path_to_utf8(action_dir)
                                : std::string("deleted (hashes in the journal)");
    if (unrecorded) {
        // Every file is where it should be: the heal stands, and the next start records its
        // completion from the files themselves (Healer::recover) instead of undoing it.
        outcome.detail += "; the journal could not record the completion (" + *unrecorded +
                          "): the next start records it from the files";
    }
    return outcome;
}

void Healer::undo(HealActionOutcome& outcome, const std::vector<const JournalFile*>& moved,
                  const std::string& package_id, std::string detail, TimePoint now) {
    for (const JournalFile* done : moved) {
        if (auto back = move_back(*done, package_id, false, outcome.action_id, now); !back) {
            detail += "; could not put back " + path_to_utf8(done->original) + ": " +
                      back.error().message + " (it is in " + path_to_utf8(done->quarantined) + ")";
        }
    }
    if (auto written =
            journal_.append(outcome.action_id, OutcomeEvent{Outcome::failed, detail}, now);
        !written) {
        detail += "; the journal could not record this (" + written.error().message +
                  "): the next start records it";
    }
    outcome.detail = std::move(detail);
}

Status Healer::move_back(const JournalFile& file, const std::string& package_id,
                         bool replace_existing, const std::string& action_id, TimePoint now) {
    if (file.quarantined.empty()) {
        return fail("deleted in \"delete\" mode: there is no copy to put back");
    }
    if (!exists_nofollow(file.quarantined)) {
        return fail(path_to_utf8(file.quarantined) + " is no longer in quarantine");
    }
    if (auto source = check_quarantined(action_id, file); !source) {
        return source;
    }
    if (auto destination = check_destination(package_id, file); !destination) {
        return destination;
    }
    std::error_code ec;
    if (exists_nofollow(file.original)) {
        if (!replace_existing) {
            return fail(path_to_utf8(file.original) +
                        " exists again (the agent rebuilt it); use --force to replace it");
        }
        // Lose nothing: the rebuilt file goes to quarantine too, beside the one coming back,
        // and the journal says so before it moves.
        fs::path aside = file.quarantined;
        aside += ".replaced-" + std::to_string(now.time_since_epoch().count());
        if (auto written = journal_.append(action_id, ReplacedKeptEvent{file.role, aside}, now);
            !written) {
            return fail("the rebuilt " + path_to_utf8(file.original) +
                        " stays: the journal cannot record where it would go (" +
                        written.error().message + ")");
        }
        auto moved = rename_no_replace(file.original, aside);
        if (!moved || *moved != MoveResult::moved) {
            return fail("cannot move the rebuilt " + path_to_utf8(file.original) + " aside");
        }
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

// Where one file of an interrupted action is, judged from the files themselves.
struct Healer::Located {
    bool moved = false;  // in quarantine intact (or deleted, in delete mode)
    std::string what;
};

Healer::Located Healer::locate(const ActionSummary& action, const JournalFile& file) {
    if (auto destination = check_destination(action.package, file); !destination) {
        return {false, "left alone: " + destination.error().message};
    }
    // A copy cut short by the crash, beside the original (a rollback's) or in quarantine.
    std::error_code ec;
    fs::path partial = file.original;
    partial += ".partial";
    if (exists_nofollow(partial)) {
        if (auto removed = remove_regular_file(partial); !removed) {
            return {false, "left alone: " + removed.error().message};
        }
    }
    const bool original = exists_nofollow(file.original);
    if (file.quarantined.empty()) {
        return original ? Located{false, "still in place"}
                        : Located{true, "was deleted (delete mode)"};
    }
    const auto expected = quarantine_path(action.id, file);
    if (!expected || *expected != file.quarantined) {
        return {false, "left alone: the journal's quarantine path " +
                           path_to_utf8(file.quarantined) + " is not psguard's"};
    }
    fs::path quarantined_partial = file.quarantined;
    quarantined_partial += ".partial";
    fs::remove(quarantined_partial, ec);
    if (!exists_nofollow(file.quarantined)) {
        return original ? Located{false, "still in place"}
                        : Located{false, "MISSING from both places"};
    }
    if (auto intact = check_quarantined(action.id, file); !intact) {
        return {false, (original ? "in place; " : "MISSING; ") + intact.error().message};
    }
    if (!original) {
        return {true, "in quarantine"};
    }
    const bool journaled = std::find(action.moved_roles.begin(), action.moved_roles.end(),
                                     file.role) != action.moved_roles.end();
    if (!journaled) {
        auto digest = sha256_file(file.original);
        if (digest && digest->sha256 == file.sha256) {
            fs::remove(file.quarantined, ec);  // a copy whose source was not yet removed
            return {false, "in place (duplicate copy removed)"};
        }
    }
    return {true, "in quarantine; the agent rebuilt the original since"};
}

RecoveryOutcome Healer::recover_action(const ActionSummary& action, TimePoint now) {
    std::vector<Located> where;
    bool all_moved = !action.files.empty();
    for (const auto& file : action.files) {
        where.push_back(locate(action, file));
        all_moved = all_moved && where.back().moved;
    }
    std::string detail;
    for (std::size_t i = 0; i < action.files.size(); ++i) {
        const JournalFile& file = action.files[i];
        std::string what = where[i].what;
        if (!all_moved && where[i].moved && !file.quarantined.empty() &&
            !exists_nofollow(file.original)) {
            auto back = move_back(file, action.package, false, action.id, now);
            what = back ? "put back" : "left in quarantine: " + back.error().message;
        }
        detail += (detail.empty() ? "" : "; ") + std::string(to_string(file.role)) + " " + what;
    }
    // Every file reached its place intact: the heal happened and only its last record is
    // missing (a crash just before it, or a journal that could not be written). It stands.
    detail = (all_moved ? "interrupted after its files were moved; completed at start: "
                        : "interrupted; recovered at start: ") +
             detail;
    const Outcome outcome = all_moved ? Outcome::files_done : Outcome::rolled_back;
    if (auto written = journal_.append(action.id, OutcomeEvent{outcome, detail}, now); !written) {
        detail += "; the journal could not record this (" + written.error().message +
                  "): the next start does it again";
    }
    return {action.id, detail, action.package, all_moved};
}

std::vector<RecoveryOutcome> Healer::recover(TimePoint now) {
    std::vector<RecoveryOutcome> outcomes;
    for (const auto& action : journal_.actions()) {
        if (action.result == ActionResult::in_progress && action.kind == ActionKind::files) {
            outcomes.push_back(recover_action(action, now));
        }
        // ACL repairs are recovered by the AclRepairer.
    }
    return outcomes;
}

Status Healer::restore(const std::string& action_id, const RestoreOptions& options, TimePoint now) {
    auto found = journal_.find_action(action_id);
    if (!found) {
        return found.error();
    }
    const auto& action = found.value();
    if (!action) {
        return fail("no action " + action_id + " in the journal");
    }
    if (action->kind != ActionKind::files) {
        return fail("action " + action_id + " is an ACL repair, not a file action");
    }
    if (action->result == ActionResult::restored || action->result == ActionResult::rolled_back ||
        action->result == ActionResult::failed) {
        return fail("action " + action_id + " is " + to_string(action->result) +
                    ": its files are not in quarantine");
    }
    if (action->mode == ActionMode::remove) {
        return fail("action " + action_id +
                    " deleted its files (\"delete\" mode): nothing to restore");
    }
    // Every file is checked before any moves: a damaged or forged entry moves nothing.
    for (const auto& file : action->files) {
        Status checked = check_quarantined(action_id, file);
        if (checked) {
            checked = check_destination(action->package, file);
        }
        if (!checked) {
            return fail("restore of " + action_id +
                        " refused, nothing moved: " + checked.error().message);
        }
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
    if (const auto folder = quarantine_folder(action_id)) {
        bool holds_files = false;
        for (auto it = fs::recursive_directory_iterator(*folder, ec);
             !ec && it != fs::recursive_directory_iterator() && !holds_files; it.increment(ec)) {
            holds_files = !it->is_directory(ec);
        }
        if (!holds_files) {
            fs::remove_all(*folder, ec);
        }
    }
    return journal_.append(action_id, OutcomeEvent{Outcome::restored, "restored " + detail}, now);
}

std::vector<std::string> Healer::prune_quarantine(TimePoint now) {
    // The retention (at least a day) also covers the ACL repairer's 24-hour look back.
    std::vector<std::string> pruned;
    std::set<std::string> retired;
    for (const auto& action : journal_.actions()) {
        if (!is_finished(action.result) || now - action.time < config_.quarantine_retention) {
            continue;
        }
        if (const auto folder = quarantine_folder(action.id)) {
            auto entry = probe_entry(*folder);
            if (!entry) {
                continue;  // cannot tell: try again next cycle
            }
            // A link there is never followed, nor removed: it is left for an administrator.
            if (entry->has_value() && (*entry)->link == LinkKind::none) {
                std::error_code ec;
                fs::remove_all(*folder, ec);
                if (ec) {
                    continue;
                }
                pruned.push_back(action.id);
            }
        }
        retired.insert(action.id);
    }
    journal_.retire(retired);
    return pruned;
}

}  // namespace psguard
