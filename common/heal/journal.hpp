// The heal journal: an append-only file of JSON lines in the state folder. Every record is
// flushed to disk before psguard goes on, so the intent of an action is on disk before any file
// is touched, and each completed step is on disk before the next one starts. Replaying it tells,
// after any crash, where every file of every action is.
//
// A cycle needs only the live actions: those still open (in progress, awaiting verification)
// and finished ones whose quarantine folder is kept. They are kept in memory, and on disk in a
// compact index beside the journal (journal.index.json: the live actions' records and how many
// bytes of the journal they cover), so that opening the journal reads the index and the lines
// appended since, not a year of history. The index is a cache: when it is missing or does not
// match the journal, the whole journal is read once. `psguard journal` and `restore` read the
// whole file when they need an action that is no longer live.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/utc_time.hpp"
#include "heal/journal_record.hpp"

namespace psguard {

// Something about the journal itself that the operator must hear of: a torn last line cut
// off, a record that could not be written. The cycle reports them as findings.
enum class JournalNoticeKind {
    repaired,     // a torn last line was cut off (and kept)
    not_written,  // a record could not be written
};
const char* to_string(JournalNoticeKind kind);  // "journal_repaired", "journal_not_written"

struct JournalNotice {
    JournalNoticeKind kind = JournalNoticeKind::not_written;
    std::string detail;
};

// What the last load() read: the proof that opening the journal costs the same after a year
// of heals as after a day.
struct JournalReadStats {
    bool used_index = false;
    std::uint64_t journal_bytes = 0;  // bytes of the journal file read
    std::uint64_t index_bytes = 0;    // bytes of the index read
    std::size_t records = 0;          // records folded into live actions
};

class Journal {
  public:
    explicit Journal(std::filesystem::path file);

    // Reads the live actions: the index and the journal lines after it, or the whole journal
    // when there is no usable index. Bytes after the last newline (a torn append) are not
    // read; a damaged complete line is an error: psguard does not act on a journal it cannot
    // trust.
    Status load();

    const std::filesystem::path& file() const { return file_; }
    std::filesystem::path index_file() const;

    // The live actions and their records, oldest first.
    const std::vector<JournalRecord>& records() const { return records_; }
    std::vector<ActionSummary> actions() const;
    std::optional<ActionSummary> action(const std::string& id) const;

    // Every action in the journal file, read whole (operator commands, not cycles).
    Result<std::vector<ActionSummary>> all_actions() const;
    // A live action, or else one found in the whole file, which is then live again (a restore
    // appends to it) until the next retire().
    Result<std::optional<ActionSummary>> find_action(const std::string& id);

    // Appends one event of `action` (with the next sequence number and `now`) and flushes it
    // to disk. The first append first cuts off a torn last line (kept in a side file beside the
    // journal, and noticed). A failed append leaves the journal as it was.
    Status append(const std::string& action, JournalEvent event, TimePoint now);

    // A new action id, "20261126T063000Z-6c821f5e-7", that no action has had: the sequence
    // number outlives an emptied journal (it is kept in the index too), and `taken` may refuse
    // one (the healer refuses an id whose quarantine folder exists).
    std::string next_action_id(const std::string& package, TimePoint now,
                               const std::function<bool(const std::string&)>& taken = {}) const;

    // Drops finished actions from the live set (their quarantine folders are gone); they stay
    // in the journal file.
    void retire(const std::set<std::string>& ids);

    // Writes the index of the live actions (atomically). A cache: failing to write it costs the
    // next start a longer read, nothing else.
    Status save_index() const;

    // Torn lines cut off and records not written since the last call.
    std::vector<JournalNotice> take_notices();

    const JournalReadStats& read_stats() const { return stats_; }

  private:
    Status load_from(std::uint64_t offset, bool whole);
    Result<std::vector<JournalRecord>> read_whole_file() const;
    bool index_matches(std::uint64_t journal_bytes, const std::string& end_sha256);
    Status repair_torn_tail(TimePoint now);
    void add(JournalRecord record);

    std::filesystem::path file_;
    std::vector<JournalRecord> records_;  // the live actions' records, in journal order
    std::uint64_t last_seq_ = 0;          // the highest sequence number ever given
    std::string end_sha256_;              // of the journal's last complete line
    std::uint64_t complete_bytes_ = 0;    // the journal's length up to its last newline
    bool tail_checked_ = false;           // the file ends with a newline (or is empty)
    std::vector<JournalNotice> notices_;
    JournalReadStats stats_;
};

}  // namespace psguard
