// Settings of the evidence collector (the `evidence` section of the configuration), and where
// the agent keeps its logs and event queue when the configuration does not say.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

namespace psguard {

struct EvidenceConfig {
    std::filesystem::path log_dir;    // empty: the agent's log is not read
    std::filesystem::path queue_dir;  // empty: the event queue is not read
    std::size_t max_items_per_kind = 20;
    std::chrono::minutes backlog_age{60};  // a waiting event older than this is a backlog
    std::size_t backlog_files = 50;        // this many waiting events is a backlog
    std::uint64_t max_read_per_cycle_bytes = 64ull * 1024 * 1024;
    std::chrono::hours retention{24};  // evidence older than this is no longer cited
};

enum class AgentPlatform { windows, posix };

#ifdef _WIN32
inline constexpr AgentPlatform kThisAgentPlatform = AgentPlatform::windows;
#else
inline constexpr AgentPlatform kThisAgentPlatform = AgentPlatform::posix;
#endif

// Where to look, best first.
struct EvidenceDirCandidates {
    std::vector<std::filesystem::path> log_dirs;
    std::vector<std::filesystem::path> queue_dirs;
};

// What the host says about where the agent lives (each nullopt when unknown).
struct AgentFolders {
    std::optional<std::filesystem::path> install_dir;       // InstallDir (registry) or nsagent
    std::optional<std::filesystem::path> registry_log_dir;  // Event Logging\LogFile\FilePath
    std::optional<std::filesystem::path> program_data;      // %ProgramData%
    std::optional<std::filesystem::path> public_dir;        // %PUBLIC%
};

// Windows logs: the registry's FilePath, <InstallDir>\Logs, %PUBLIC%\Documents\Altiris\Altiris
// Agent\Logs (SMP 7.x writes there, KB 176864), %ProgramData%\Symantec\Symantec Agent\Logs (8.x).
// Windows queue: <InstallDir>\Queue, %ProgramData%\Symantec\Symantec Agent\Queue.
// POSIX: under `install_dir` (default /opt/altiris/notification/nsagent) var/logs, var/log,
// then var (where Broadcom's KB puts aex-client.log); no queue folder is known there.
EvidenceDirCandidates evidence_dir_candidates(AgentPlatform platform, const AgentFolders& agent);

struct EvidenceDirs {
    std::optional<std::filesystem::path> log_dir;
    std::optional<std::filesystem::path> queue_dir;
};

// The first candidate of each list that is a folder (not a link); nullopt when none is.
EvidenceDirs detect_evidence_dirs(const EvidenceDirCandidates& candidates);

}  // namespace psguard
