// The heal journal: an append-only file of JSON lines in the state folder. Every record is
// flushed to disk before psguard goes on, so the intent of an action is on disk before any file
// is touched, and each completed step is on disk before the next one starts. Replaying it tells,
// after any crash, where every file of every action is.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "acl/file_security.hpp"
#include "core/result.hpp"
#include "core/utc_time.hpp"

namespace psguard {

// One file of an action: where it was, where it goes, and what it was.
struct JournalFile {
    std::string role;                   // "snapshot" or "package_status"
    std::filesystem::path original;     // absolute
    std::filesystem::path quarantined;  // absolute; empty in delete mode
    std::string sha256;
    std::uint64_t size = 0;
    // Owner and permissions before the move, put back with the file (nullopt in journals written
    // before psguard kept them).
    std::optional<FileSecurity> security;
};

enum class ActionResult {
    in_progress,  // intent written, files not all moved yet (interrupted if seen at start)
    awaiting_verification,  // files moved, refresh triggered; later cycles verify
    verified,               // the NS turned Ready
    verify_failed,          // the NS did not turn Ready in time
    failed,                 // an error stopped the action; its files were put back
    rolled_back,            // interrupted, and recovery put the files back
    restored,               // an operator put the files back with `psguard restore`
};

const char* to_string(ActionResult result);

struct ActionSummary {
    std::string id;
    TimePoint time;
    std::string kind = "files";  // "files": a package's two files; "acl": a folder's permissions
    std::string package;         // files only
    std::string mode;            // "quarantine" or "delete"; "acl" for ACL repairs
    std::string reason;
    std::vector<JournalFile> files;
    std::vector<std::string> moved_roles;  // files whose move (or delete) completed
    ActionResult result = ActionResult::in_progress;
    std::string detail;  // error, refresh outcome, ...

    // ACL repairs (kind "acl"): the folder, whom it was granted to, and the permissions it had
    // before (acl_repair.hpp's snapshot_descriptor), which `psguard restore` puts back.
    std::filesystem::path acl_path;
    std::string account;
    std::string saved_descriptor;
};

class Journal {
  public:
    explicit Journal(std::filesystem::path file);

    // Reads the whole journal. A torn last line (a crash during an append) is skipped; a damaged
    // line anywhere else is an error: psguard does not act on a journal it cannot trust.
    Status load();

    const std::filesystem::path& file() const { return file_; }
    const std::vector<nlohmann::json>& records() const { return records_; }
    std::vector<ActionSummary> actions() const;
    std::optional<ActionSummary> action(const std::string& id) const;

    // Appends one record (adding "seq" and "time") and flushes it to disk.
    Status append(nlohmann::json record, TimePoint now);

    // A new, unique action id: "20261126T063000Z-6c821f5e-7".
    std::string next_action_id(const std::string& package, TimePoint now) const;

  private:
    std::filesystem::path file_;
    std::vector<nlohmann::json> records_;
    std::uint64_t last_seq_ = 0;
};

nlohmann::json to_json(const JournalFile& file);
nlohmann::json to_json(const ActionSummary& action);

}  // namespace psguard
