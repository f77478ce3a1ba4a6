// Carries out heal actions, journal first: for one package, its snapshot.xml and
// PackageStatus.xml go to state_dir/quarantine/<action-id>/ (or are deleted in "delete" mode),
// with the intent and each completed step flushed to the journal. Also the way back: crash
// recovery at start, `psguard restore`, and pruning of old quarantine folders.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/result.hpp"
#include "heal/heal_config.hpp"
#include "heal/journal.hpp"

namespace psguard {

struct HealActionOutcome {
    std::string action_id;
    bool done = false;   // the files are in quarantine (or deleted)
    std::string detail;  // what happened, or why nothing did
    std::vector<std::string> files;
};

struct RecoveryOutcome {
    std::string action_id;
    std::string detail;
    std::string package;     // file actions
    bool completed = false;  // every file had reached quarantine: the heal stands (not undone)
};

struct RestoreOptions {
    bool force = false;  // replace a file the agent rebuilt since (which is kept in quarantine)
};

// The package a heal acts on: its id and its two folders (empty when absent).
struct HealTarget {
    std::string id;
    std::filesystem::path delivery_dir;
    std::filesystem::path status_dir;
};

class Healer {
  public:
    Healer(PathsConfig paths, HealConfig config, Journal& journal);

    // Quarantines (or deletes) the package's two files. On any error the files already moved
    // are put back and the action is journaled as failed.
    HealActionOutcome heal(const HealTarget& package, const std::string& reason, TimePoint now);

    // Completes or rolls back every action interrupted by a crash (or by a journal that could
    // not be written), so that each file is either in place or in quarantine: never lost, never
    // both. Judged from the files themselves: an action whose every file reached quarantine
    // intact (the journaled SHA-256) is completed; any other is rolled back.
    std::vector<RecoveryOutcome> recover(TimePoint now);

    // Puts an action's files back, byte-identical (checked against the journal's SHA-256).
    // Every file is checked first (it must be where psguard quarantined it, not through a link,
    // with the journaled hash; its destination a package folder): otherwise nothing moves.
    Status restore(const std::string& action_id, const RestoreOptions& options, TimePoint now);

    // Removes quarantine folders of finished actions older than the retention, and retires
    // those actions from the journal's live set.
    std::vector<std::string> prune_quarantine(TimePoint now);

    std::filesystem::path quarantine_root() const;

  private:
    struct Located;

    // state_dir/quarantine/<action-id>; nullopt for an id psguard does not make.
    std::optional<std::filesystem::path> quarantine_folder(const std::string& action_id) const;
    // Where the healer puts `file` of that action; nullopt for an unknown id or role.
    std::optional<std::filesystem::path> quarantine_path(const std::string& action_id,
                                                         const JournalFile& file) const;
    Status check_quarantined(const std::string& action_id, const JournalFile& file) const;
    Status check_destination(const std::string& package_id, const JournalFile& file) const;

    Status move_into_quarantine(const JournalFile& file);
    Status move_back(const JournalFile& file, const std::string& package_id, bool replace_existing,
                     const std::string& action_id, TimePoint now);
    void undo(HealActionOutcome& outcome, const std::vector<const JournalFile*>& moved,
              const std::string& package_id, std::string detail, TimePoint now);
    Located locate(const ActionSummary& action, const JournalFile& file);
    RecoveryOutcome recover_action(const ActionSummary& action, TimePoint now);

    PathsConfig paths_;
    HealConfig config_;
    Journal& journal_;
};

}  // namespace psguard
