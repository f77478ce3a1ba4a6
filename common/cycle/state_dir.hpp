// psguard's state folder, opened for a cycle that may heal: created if missing, locked against
// a second psguard, with the journal and the heal history loaded.
#pragma once

#include <filesystem>
#include <memory>

#include "core/result.hpp"
#include "evidence/evidence_cycle.hpp"
#include "heal/heal_history.hpp"
#include "heal/journal.hpp"
#include "platform/file_lock.hpp"

namespace psguard {

// Creates the state folder when it is missing, for administrators only (POSIX: mode 0700); a
// folder that already exists keeps the permissions its owner gave it.
Status create_state_folder(const std::filesystem::path& dir);

class StateDir {
  public:
    static Result<std::unique_ptr<StateDir>> open(const std::filesystem::path& dir);

    const std::filesystem::path& path() const { return dir_; }
    Journal& journal() { return journal_; }
    HealHistory& history() { return history_; }
    Status save_history() const;
    // The evidence collector's state (log cursors, kept evidence): loaded on first use from
    // evidence.json; a damaged or missing file starts afresh.
    EvidenceState& evidence(const EvidenceConfig& config);
    Status save_evidence() const;
    // The last cycle's report (to_json of CheckReport), read by `psguard collect`.
    Status save_last_report(const nlohmann::json& report) const;
    static std::filesystem::path last_report_file(const std::filesystem::path& dir) {
        return dir / "last-report.json";
    }

  private:
    StateDir(std::filesystem::path dir, FileLock lock);

    std::filesystem::path dir_;
    FileLock lock_;
    Journal journal_;
    HealHistory history_;
    std::optional<EvidenceState> evidence_;
};

}  // namespace psguard
