// The Symantec agent's own view of its packages (ClientAgent("Altiris.AeXNSCPkgSvr").Packages),
// as a second local source beside the XML files (Windows, local.agent_view): the package names,
// the custom-location flag, and a cross-check with PackageStatus.xml. Pure functions over what
// the COM read returned, so that every rule is tested on every platform.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent_com/agent_com.hpp"
#include "local/local_state.hpp"

namespace psguard {

// One package as the agent sees it, keyed by its normalised id.
struct AgentViewPackage {
    std::string id;  // normalised "{guid}"
    std::string name;
    std::string status;
    std::string version;
    bool is_custom_location = false;  // its files live outside Package Delivery (ITMS 8.x)
    AgentPackage raw;                 // every field as the agent answered
};

struct AgentView {
    bool read = false;  // the agent answered; false: the files alone are used
    std::string note;   // why it was not read (COM message), or entries that were skipped
    std::map<std::string, AgentViewPackage> packages;
};

// The agent's answer as a view: entries without a GUID id are skipped (and counted in the note).
AgentView make_agent_view(const AgentPackagesRead& read);

// A package whose Ready-ness differs between the agent and its PackageStatus.xml.
struct AgentDisagreement {
    std::string id;
    std::string name;
    std::string agent_status;
    std::string file_status;
    std::filesystem::path status_file;  // the package's PackageStatus folder
};

// Packages the agent calls Ready whose PackageStatus.xml says otherwise, and the reverse.
// Packages the agent marks Deleted, and packages whose files give no status, are not compared.
std::vector<AgentDisagreement> cross_check(const LocalScan& scan, const AgentView& view);

// The scan with the agent's status and version standing in for the files of packages whose
// files could not be read; nullopt when there is no such package.
std::optional<LocalScan> fill_unreadable_from_agent(const LocalScan& scan, const AgentView& view);

// Whether the package is Ready by the files and, when the agent answered, by the agent too.
bool ready_by_every_source(const std::string& id, const LocalPackage& package,
                           const AgentView* view);

}  // namespace psguard
