// Reads the Symantec agent's log folder incrementally: only what was appended since the last
// cycle, in bounded memory, tolerant of rotation, of a half-written last event and of UTF-16.
// The per-file cursors serialise to JSON so that the agent loop can keep them across restarts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "evidence/log_text.hpp"
#include "evidence/shared_file.hpp"

namespace psguard {

// Where reading stopped in one file, and how to recognise that file again after a rotation:
// by identity (rename keeps it), else by a fingerprint of its first bytes (a copy keeps it).
struct LogCursor {
    std::string file;  // name inside the log folder (UTF-8) when last read
    FileIdentity identity;
    std::uint64_t offset = 0;  // the next byte to parse: always at an event boundary
    std::uint64_t size = 0;    // the file's size when last read
    std::uint32_t fingerprint_bytes = 0;
    std::uint64_t fingerprint = 0;  // FNV-1a of the first fingerprint_bytes bytes
    LogEncoding encoding = LogEncoding::unknown;

    friend bool operator==(const LogCursor&, const LogCursor&) = default;
};

// {"version": 1, "files": [{"file", "device", "index", "offset", "size", "fingerprint_bytes",
//  "fingerprint" (16 hex digits), "encoding"}]}
nlohmann::json log_cursors_to_json(const std::vector<LogCursor>& cursors);
Result<std::vector<LogCursor>> log_cursors_from_json(const nlohmann::json& json);

// One `<event>` of the agent's log, attributes as written (the date has no year).
struct LogEvent {
    std::string date;
    std::string severity;
    std::string host_name;
    std::string source;
    std::string module;
    std::string process;
    std::string pid;
    std::string thread;
    std::string tick_count;
    std::string message;  // the CDATA/text content, trimmed
    std::filesystem::path file;
    std::uint64_t offset = 0;  // of the event's '<' in the file, in file bytes
};

struct LogReadOptions {
    // The most file data held at once (text buffer plus UTF-16 staging). An event larger than
    // half of it cannot be parsed and is skipped.
    std::size_t buffer_bytes = 1024 * 1024;
    // Bytes read per cycle over all files (at least buffer_bytes); the rest waits for the next.
    std::uint64_t max_read_per_cycle_bytes = 64ull * 1024 * 1024;
    std::size_t max_files = 64;  // the newest log files by modification time
};

struct LogReadStats {
    std::size_t files = 0;  // log files looked at
    std::uint64_t bytes_read = 0;
    std::size_t events = 0;
    std::size_t malformed = 0;          // complete elements that are not well-formed XML
    std::size_t truncated = 0;          // cut short by the start of the next event
    std::size_t oversized = 0;          // over half the buffer: skipped
    std::size_t restarted = 0;          // shrunk or replaced under the same identity: read from 0
    std::size_t followed = 0;           // found again under a new identity (copied away): continued
    bool budget_exhausted = false;      // more is waiting for the next cycle
    std::vector<std::string> problems;  // "agent.log: cannot open: ..."; the file is skipped
};

class AgentLogReader {
  public:
    using EventSink = std::function<void(const LogEvent&)>;

    explicit AgentLogReader(LogReadOptions options = {}, std::vector<LogCursor> cursors = {});

    // Reads what is new in every log file of `log_dir` (names ending ".log" or ".log.<n>", any
    // case; links and other non-regular entries are skipped), oldest file first, and hands each
    // complete event to `sink` in file order. An error only when the folder cannot be listed;
    // per-file problems are in the stats.
    Result<LogReadStats> read_new(const std::filesystem::path& log_dir, const EventSink& sink);

    // One cursor per file present at the last read (files that vanished are forgotten).
    const std::vector<LogCursor>& cursors() const noexcept { return cursors_; }

    // The most file data held at once since construction; never over options.buffer_bytes.
    std::size_t peak_buffer_bytes() const noexcept { return peak_buffer_bytes_; }

  private:
    LogReadOptions options_;
    std::vector<LogCursor> cursors_;
    std::size_t peak_buffer_bytes_ = 0;
};

}  // namespace psguard
