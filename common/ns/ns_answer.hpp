// The NS's view of this Package Server, one row per package, from the SWDPackageServer report.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace psguard {

struct NsPackageRow {
    std::string id;  // normalised "{guid}"
    std::string name;
    std::string server;
    std::string status;                           // Ready, Invalid, Pending, Download Pending, ...
    std::optional<std::string> ns_version;        // Package Version on NS
    std::optional<std::string> reported_version;  // Version Last Reported by PS
    std::optional<std::string> error;             // the agent's error text, when the report has it
};

struct NsAnswer {
    std::vector<NsPackageRow> rows;
};

}  // namespace psguard
