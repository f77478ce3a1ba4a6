// Carries out heal actions, journal first: for one package, its snapshot.xml and
// PackageStatus.xml go to state_dir/quarantine/<action-id>/ (or are deleted in "delete" mode),
// with the intent and each completed step flushed to the journal. Also the way back: crash
// recovery at start, `psguard restore`, and pruning of old quarantine folders.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/result.hpp"
#include "heal/heal_config.hpp"
#include "heal/journal.hpp"
#include "local/local_state.hpp"

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
};

struct RestoreOptions {
    bool force = false;  // replace a file the agent rebuilt since (which is kept in quarantine)
};

class Healer {
  public:
    Healer(PathsConfig paths, HealConfig config, Journal& journal);

    // Quarantines (or deletes) the package's two files. On any error the files already moved
    // are put back and the action is journaled as failed.
    HealActionOutcome heal(const LocalPackage& package, const std::string& reason, TimePoint now);

    // Completes or rolls back every action interrupted by a crash, so that each file is either
    // in place or in quarantine: never lost, never both.
    std::vector<RecoveryOutcome> recover(TimePoint now);

    // Puts an action's files back, byte-identical (checked against the journal's SHA-256).
    Status restore(const std::string& action_id, const RestoreOptions& options, TimePoint now);

    // Removes quarantine folders of finished actions older than the retention.
    std::vector<std::string> prune_quarantine(TimePoint now);

    std::filesystem::path quarantine_root() const;

  private:
    Status move_into_quarantine(const JournalFile& file);
    Status move_back(const JournalFile& file, const std::string& package_id, bool replace_existing,
                     const std::string& action_id, TimePoint now);

    PathsConfig paths_;
    HealConfig config_;
    Journal& journal_;
};

}  // namespace psguard
