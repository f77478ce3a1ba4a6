// The opt-in ACL repair (`acl.repair`), journal first: the folder's permissions are saved in
// the journal before psguard grants the credential account anything, so that a crash, a failed
// grant or an operator's `psguard restore` can always put them back. The primitives that touch
// the folder are in acl/acl_repair.hpp; this decides nothing about *whether* to repair (that
// is the cycle's job, see repair_due) and only records and carries out.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/utc_time.hpp"
#include "heal/healer.hpp"
#include "heal/journal.hpp"

namespace psguard {

// After a failed, unverified or restored repair psguard leaves the folder alone this long before
// it tries again (an operator's restore is a decision, not a glitch). A repair rolled back by
// crash recovery is retried at once.
inline constexpr std::chrono::hours kAclRepairRetryAfter{24};

struct AclRepairOutcome {
    std::string action_id;
    std::string path;
    bool done = false;
    std::string detail;
};

class AclRepairer {
  public:
    explicit AclRepairer(Journal& journal) : journal_(journal) {}

    // Saves the folder's permissions (journal), grants `account` modify on it, and records the
    // outcome. When the grant fails the saved permissions are put back.
    AclRepairOutcome repair(const std::filesystem::path& folder, const std::string& account,
                            const std::string& reason, TimePoint now);

    // Puts back the permissions an ACL repair saved.
    Status restore(const std::string& action_id, TimePoint now);

    // Repairs interrupted by a crash (intent journaled, outcome not) are rolled back: the saved
    // permissions are put back, and the next cycle decides again.
    std::vector<RecoveryOutcome> recover(TimePoint now);

    // Whether psguard may repair `folder` now: no repair of it awaits verification, and its
    // last unsuccessful one is older than kAclRepairRetryAfter. The reason when not.
    std::optional<std::string> repair_blocked(const std::filesystem::path& folder,
                                              TimePoint now) const;

    // ACL repairs waiting for a check to confirm them.
    std::vector<ActionSummary> awaiting_verification() const;

  private:
    // Journals a repair that did not happen; the detail says when that cannot be recorded.
    void record_failure(AclRepairOutcome& outcome, TimePoint now);

    Journal& journal_;
};

}  // namespace psguard
