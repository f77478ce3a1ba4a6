// What the heal journal records, typed: one struct per event, the actions the events add up
// to, and the one codec between them and the journal's JSON lines (journal_record.cpp). The
// JSON is the file format of docs/heal.md#the-journal-file: lines written by older psguard
// versions read the same, and an event this version does not know is kept and skipped.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "acl/file_security.hpp"
#include "core/result.hpp"
#include "core/utc_time.hpp"
#include "heal/heal_config.hpp"

namespace psguard {

enum class ActionKind {
    files,           // a package's snapshot.xml and PackageStatus.xml
    acl,             // a folder's permissions (acl.repair)
    policy_refresh,  // the agent asked to apply its policies again (heal.policy_refresh)
};

enum class ActionMode {
    quarantine,  // the files were moved to the quarantine (restorable)
    remove,      // the files were deleted ("delete" in the journal)
    acl,         // an ACL repair
};

enum class FileRole {
    snapshot,        // Package Delivery/<GUID>/snapshot.xml
    package_status,  // PackageStatus/<GUID>/PackageStatus.xml
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

const char* to_string(ActionKind kind);
const char* to_string(ActionMode mode);
const char* to_string(FileRole role);
const char* to_string(ActionResult result);

// Whether the action is over (nothing more will happen to it unless an operator restores it).
bool is_finished(ActionResult result);

// One file of an action: where it was, where it goes, and what it was.
struct JournalFile {
    FileRole role = FileRole::snapshot;
    std::filesystem::path original;     // absolute
    std::filesystem::path quarantined;  // absolute; empty in delete mode
    std::string sha256;
    std::uint64_t size = 0;
    // Owner and permissions before the move, put back with the file (none in journals written
    // before psguard kept them).
    std::optional<FileSecurity> security;
};

// The events. "intent": what an action will touch, on disk before anything is.
struct IntentEvent {
    ActionKind kind = ActionKind::files;
    ActionMode mode = ActionMode::quarantine;
    std::string reason;
    std::string package;             // files
    std::vector<JournalFile> files;  // files
    std::filesystem::path acl_path;  // acl: the folder
    std::string account;             // acl: whom it grants
    std::string descriptor;          // acl: the permissions before (restore puts them back)
};

// "file_moved" (or "file_deleted" in delete mode): one file reached its place.
struct FileDoneEvent {
    FileRole role = FileRole::snapshot;
    bool deleted = false;
};

// "replaced_kept": restore --force set the agent's rebuilt file aside, to `path`.
struct ReplacedKeptEvent {
    FileRole role = FileRole::snapshot;
    std::filesystem::path path;
};

// "refresh": one attempt of a re-report trigger (heal.refresh) for this action.
struct AgentCall {        // trigger "agent"
    std::string hresult;  // "0x80040154"
    std::string failure;  // empty when the call succeeded
};
struct RefreshRun {  // trigger "command"
    std::vector<std::string> command;
    std::optional<int> exit_code;  // none: killed, or failed to start
    std::string output;
};
struct RefreshEvent {
    std::string summary;
    std::optional<RefreshTrigger> trigger;  // none in lines older than heal.refresh
    std::optional<bool> ok;
    std::optional<AgentCall> agent;
    std::optional<RefreshRun> run;
    std::optional<std::string> service;  // trigger "restart_service"
};

// How an action went on: each sets its result.
enum class Outcome {
    files_done,       // every file moved: awaiting verification
    acl_granted,      // the grant is on the folder: awaiting verification
    agent_requested,  // the agent took the policy refresh: awaiting verification
    verified,
    verify_failed,
    failed,
    rolled_back,
    restored,
};
struct OutcomeEvent {
    explicit OutcomeEvent(Outcome what, std::optional<std::string> said = std::nullopt,
                          std::optional<std::string> call = std::nullopt)
        : outcome(what), detail(std::move(said)), hresult(std::move(call)) {}

    Outcome outcome = Outcome::failed;
    std::optional<std::string> detail;   // none: "verified" keeps the action's detail
    std::optional<std::string> hresult;  // a call into the agent's: "0x00000000"
};

// An event of a newer psguard: kept (it names its action), otherwise skipped.
struct OtherEvent {
    std::string name;
};

using JournalEvent = std::variant<IntentEvent, FileDoneEvent, ReplacedKeptEvent, RefreshEvent,
                                  OutcomeEvent, OtherEvent>;

// One line of the journal.
struct JournalRecord {
    std::string action;
    std::uint64_t seq = 0;
    TimePoint time{};
    JournalEvent event;
};

// The event's name in the journal ("intent", "file_moved", ...).
std::string event_name(const JournalEvent& event);

// The codec. A record whose event is known but malformed (an unknown file role, say) is an
// error: psguard does not act on a journal it cannot trust.
nlohmann::json to_json(const JournalRecord& record);
Result<JournalRecord> record_from_json(const nlohmann::json& json);
// One line, without its newline; invalid UTF-8 (from a command's output) is replaced.
std::string encode(const JournalRecord& record);
Result<JournalRecord> decode(const std::string& line);

// An action as its records add up.
struct ActionSummary {
    std::string id;
    TimePoint time;
    ActionKind kind = ActionKind::files;
    std::string package;  // files only
    ActionMode mode = ActionMode::quarantine;
    std::string reason;
    std::vector<JournalFile> files;
    std::vector<FileRole> moved_roles;  // files whose move (or delete) completed
    ActionResult result = ActionResult::in_progress;
    std::string detail;  // error, refresh outcome, ...

    // ACL repairs: the folder, whom it was granted to, and the permissions it had before
    // (acl_repair.hpp's snapshot_descriptor), which `psguard restore` puts back.
    std::filesystem::path acl_path;
    std::string account;
    std::string saved_descriptor;
};

// The actions of `records` in the order they began; only `wanted` when given.
std::vector<ActionSummary> summarize(const std::vector<JournalRecord>& records,
                                     const std::string* wanted = nullptr);

// For `psguard journal --json` and /v1/journal.
nlohmann::json to_json(const JournalFile& file);
nlohmann::json to_json(const ActionSummary& action);

}  // namespace psguard
