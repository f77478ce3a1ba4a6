// The agent's status-event queue: `...\Queue\<NS name>\` holds one file per event, named
// NSE-... (sent directly) or PSE-... (queued), with the suffix .ok (sent), .blocked (not sent:
// the agent is not registered), .disabled (NSEs disabled); no suffix: still waiting. Counting
// them by state and age shows whether status reports reach the NS. Read-only; links are never
// followed.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"

namespace psguard {

enum class QueueState { waiting, sent, blocked, disabled };
inline constexpr std::size_t kQueueStateCount = 4;

// "waiting", "sent", "blocked", "disabled": also the metric label.
std::string_view to_string(QueueState state);

enum class QueuePrefix { nse, pse };

struct QueueFileName {
    QueuePrefix prefix;
    QueueState state;
};

// "NSE-FFF-0000006A-0000004F.ok" -> {nse, sent}; any case; no suffix -> waiting. nullopt: not an
// event file (another prefix, or a suffix other than .ok, .blocked and .disabled).
std::optional<QueueFileName> classify_queue_file(std::string_view name);

struct QueueCounts {
    std::array<std::size_t, kQueueStateCount> nse{};
    std::array<std::size_t, kQueueStateCount> pse{};

    std::size_t count(QueueState state) const {
        const auto i = static_cast<std::size_t>(state);
        return nse[i] + pse[i];
    }
};

struct QueueFolder {
    std::string name;  // the NS folder's name (UTF-8); "" for events directly in the queue folder
    std::filesystem::path path;
    QueueCounts counts;
    std::optional<std::chrono::system_clock::time_point> oldest_waiting;  // modification time
    std::size_t other_files = 0;                                          // not NSE/PSE
    std::size_t links_skipped = 0;
};

struct QueueSummary {
    std::filesystem::path dir;
    std::chrono::system_clock::time_point taken{};
    std::vector<QueueFolder> folders;   // sorted by name
    std::vector<std::string> problems;  // entries that could not be inspected

    std::size_t count(QueueState state) const;
    std::optional<std::chrono::system_clock::time_point> oldest_waiting() const;
};

// Counts the queue folder `dir` and each folder directly inside it (one per NS). An error when
// `dir` itself cannot be listed; a missing `dir` is an error too (the caller decides whether a
// missing queue matters). `now` stamps the summary, for the ages.
Result<QueueSummary> read_event_queue(const std::filesystem::path& dir,
                                      std::chrono::system_clock::time_point now);

// {"dir", "waiting", "sent", "blocked", "disabled", "oldest_waiting_seconds", "folders": [{"ns",
// "waiting", ..., "nse": {...}, "pse": {...}, "oldest_waiting_seconds"}], "problems"}
nlohmann::json queue_summary_to_json(const QueueSummary& summary);

}  // namespace psguard
