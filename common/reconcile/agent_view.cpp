#include "reconcile/agent_view.hpp"

#include "core/ascii.hpp"
#include "core/guid.hpp"
#include "reconcile/verdict.hpp"

namespace psguard {

AgentView make_agent_view(const AgentPackagesRead& read) {
    AgentView view;
    if (!read.outcome.ok()) {
        view.note = read.outcome.message;
        return view;
    }
    view.read = true;
    std::size_t skipped = 0;
    for (const auto& package : read.packages) {
        const auto id = normalise_guid(package.id, true);
        if (!id) {
            ++skipped;
            continue;
        }
        view.packages[*id] = AgentViewPackage{
            *id,    package.name, package.status, package.version, package.is_custom_location,
            package};
    }
    if (skipped > 0) {
        view.note = std::to_string(skipped) + " of the agent's packages have no GUID Id: skipped";
    }
    return view;
}

std::vector<AgentDisagreement> cross_check(const LocalScan& scan, const AgentView& view) {
    std::vector<AgentDisagreement> found;
    for (const auto& [id, agent] : view.packages) {
        const auto local = scan.packages.find(id);
        if (local == scan.packages.end() || agent.status.empty() ||
            ascii_iequals(agent.status, "Deleted")) {
            continue;
        }
        const auto file_status =
            local->second.package_status ? local->second.package_status->status : std::nullopt;
        if (!file_status || local->second.unreadable_reason) {
            continue;  // nothing to compare with: the verdict uses the agent's view instead
        }
        if (is_ready_status(agent.status) != is_ready_status(*file_status)) {
            found.push_back(AgentDisagreement{id, agent.name, agent.status, *file_status,
                                              scan.status_dir(id, local->second)});
        }
    }
    return found;
}

std::optional<LocalScan> fill_unreadable_from_agent(const LocalScan& scan, const AgentView& view) {
    std::optional<LocalScan> filled;
    for (const auto& [id, package] : scan.packages) {
        const auto agent = view.packages.find(id);
        if (!package.unreadable_reason || agent == view.packages.end() ||
            agent->second.status.empty()) {
            continue;
        }
        if (!filled) {
            filled = scan;
        }
        LocalPackage& substitute = filled->packages.at(id);
        StatusDocument status;
        status.status = agent->second.status;
        if (!agent->second.version.empty()) {
            status.version = agent->second.version;
        }
        substitute.package_status = status;
        substitute.snapshot.reset();  // its version must not outrank the agent's
        substitute.unreadable_reason.reset();
    }
    return filled;
}

bool ready_by_every_source(const std::string& id, const LocalPackage& package,
                           const AgentView* view) {
    const auto status = package.status();
    if (!status || !is_ready_status(*status)) {
        return false;
    }
    if (view != nullptr) {
        const auto agent = view->packages.find(id);
        if (agent != view->packages.end() && !agent->second.status.empty() &&
            !is_ready_status(agent->second.status)) {
            return false;
        }
    }
    return true;
}

}  // namespace psguard
