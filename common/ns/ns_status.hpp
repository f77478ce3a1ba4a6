// The words the NS uses for a package's status on a Package Server (SWDPackageServer.Status),
// read case-insensitively with surrounding blanks ignored. A word psguard does not know is kept
// verbatim by the caller and never judged healthy or healed.
#pragma once

#include <string_view>

namespace psguard {

enum class NsPackageStatus {
    ready,              // "Ready"; the agent reports it as "Codebase Enabled"
    invalid,            // "Invalid": the KB's failure when the Package Server holds it Ready
    pending,            // "Pending"
    download_pending,   // "Download Pending"
    retrying_download,  // "Retrying Download"
    not_ready,          // "Not Ready"
    waiting_to_retry,   // "Waiting to retry"
    deleted,            // "Deleted": unassigned from this Package Server, being removed
    unrecognised,       // any other word
};

NsPackageStatus classify_ns_status(std::string_view status);

// Statuses on the way to Ready: stale only when they outlast the grace period.
bool is_transitional(NsPackageStatus status);

}  // namespace psguard
