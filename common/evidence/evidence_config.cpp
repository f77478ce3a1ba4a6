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

EvidenceDirCandidates evidence_dir_candidates(AgentPlatform platform, const AgentFolders& agent) {
    const auto known = [](const std::optional<fs::path>& folder) {
        return folder && !folder->empty();
    };
    EvidenceDirCandidates candidates;
    if (platform == AgentPlatform::windows) {
        if (known(agent.registry_log_dir)) {
            candidates.log_dirs.push_back(*agent.registry_log_dir);
        }
        if (known(agent.install_dir)) {
            candidates.log_dirs.push_back(*agent.install_dir / "Logs");
            candidates.queue_dirs.push_back(*agent.install_dir / "Queue");
        }
        if (known(agent.public_dir)) {
            candidates.log_dirs.push_back(*agent.public_dir / "Documents" / "Altiris" /
                                          "Altiris Agent" / "Logs");
        }
        if (known(agent.program_data)) {
            const fs::path symantec = *agent.program_data / "Symantec" / "Symantec Agent";
            candidates.log_dirs.push_back(symantec / "Logs");
            candidates.queue_dirs.push_back(symantec / "Queue");
        }
        return candidates;
    }
    const fs::path root = known(agent.install_dir) ? *agent.install_dir : kPosixAgentRoot;
    candidates.log_dirs = {root / "var" / "logs", root / "var" / "log", root / "var"};
    return candidates;
}

EvidenceDirs detect_evidence_dirs(const EvidenceDirCandidates& candidates) {
    return {first_folder(candidates.log_dirs), first_folder(candidates.queue_dirs)};
}

}  // namespace psguard
