#include "evidence/evidence_config.hpp"

#include "platform/file_links.hpp"

namespace psguard {
namespace fs = std::filesystem;

namespace {

const fs::path kPosixAgentRoot = "/opt/altiris/notification/nsagent";

std::optional<fs::path> first_folder(const std::vector<fs::path>& candidates) {
    for (const fs::path& candidate : candidates) {
        auto probed = probe_entry(candidate);
        if (probed && probed.value() && probed.value()->link == LinkKind::none &&
            probed.value()->is_directory) {
            return candidate;
        }
    }
    return std::nullopt;
}

}  // namespace

EvidenceDirCandidates evidence_dir_candidates(AgentPlatform platform,
                                              const std::optional<fs::path>& install_dir,
                                              const std::optional<fs::path>& program_data) {
    EvidenceDirCandidates candidates;
    if (platform == AgentPlatform::windows) {
        if (install_dir && !install_dir->empty()) {
            candidates.log_dirs.push_back(*install_dir / "Logs");
            candidates.queue_dirs.push_back(*install_dir / "Queue");
        }
        if (program_data && !program_data->empty()) {
            const fs::path agent = *program_data / "Symantec" / "Symantec Agent";
            candidates.log_dirs.push_back(agent / "Logs");
            candidates.queue_dirs.push_back(agent / "Queue");
        }
        return candidates;
    }
    const fs::path root = install_dir && !install_dir->empty() ? *install_dir : kPosixAgentRoot;
    candidates.log_dirs = {root / "var" / "logs", root / "var" / "log", root / "var"};
    return candidates;
}

EvidenceDirs detect_evidence_dirs(const EvidenceDirCandidates& candidates) {
    return {first_folder(candidates.log_dirs), first_folder(candidates.queue_dirs)};
}

}  // namespace psguard
