#include "heal/acl_repairer.hpp"

#include "acl/acl_repair.hpp"
#include "core/utf8_path.hpp"
#include "platform/fault_point.hpp"

namespace psguard {

namespace fs = std::filesystem;

AclRepairOutcome AclRepairer::repair(const fs::path& folder, const std::string& account,
                                     const std::string& reason, TimePoint now) {
    AclRepairOutcome outcome;
    outcome.path = path_to_utf8(folder);
    outcome.action_id = journal_.next_action_id("acl", now);
    auto saved = snapshot_descriptor(folder);
    if (!saved) {
        outcome.detail = "not repaired: cannot save the permissions of " + outcome.path +
                         " first: " + saved.error().message;
        return outcome;  // nothing journaled: nothing was touched
    }
    IntentEvent intent;
    intent.kind = ActionKind::acl;
    intent.mode = ActionMode::acl;
    intent.reason = reason;
    intent.acl_path = folder;
    intent.account = account;
    intent.descriptor = saved.value();
    if (auto written = journal_.append(outcome.action_id, std::move(intent), now); !written) {
        outcome.detail = "not repaired: the journal cannot be written: " + written.error().message;
        return outcome;
    }
    fault_point("acl_repair:after_intent");
    if (auto granted = grant_modify(folder, account); !granted) {
        // A grant that failed half-way must not leave anything changed behind.
        const Status put_back = restore_descriptor(folder, saved.value());
        outcome.detail = "grant failed: " + granted.error().message +
                         (put_back ? "; permissions unchanged"
                                   : "; putting the saved permissions back failed too: " +
                                         put_back.error().message);
        record_failure(outcome, now);
        return outcome;
    }
    fault_point("acl_repair:after_grant");
    const std::string granted_detail = "granted " + account + " modify on " + outcome.path +
                                       " (this folder, subfolders and files); previous "
                                       "permissions saved";
    if (auto written = journal_.append(outcome.action_id,
                                       OutcomeEvent{Outcome::acl_granted, granted_detail}, now);
        !written) {
        // A grant the journal cannot record is not kept: the next start would roll it back.
        const Status put_back = restore_descriptor(folder, saved.value());
        outcome.detail =
            "not repaired: the journal cannot record the grant (" + written.error().message +
            "); " +
            (put_back ? "the saved permissions are back"
                      : "putting the saved permissions back failed (" + put_back.error().message +
                            "): the next start puts them back");
        record_failure(outcome, now);
        return outcome;
    }
    outcome.done = true;
    outcome.detail = granted_detail;
    return outcome;
}

void AclRepairer::record_failure(AclRepairOutcome& outcome, TimePoint now) {
    if (auto written =
            journal_.append(outcome.action_id, OutcomeEvent{Outcome::failed, outcome.detail}, now);
        !written) {
        outcome.detail += "; the journal could not record this (" + written.error().message +
                          "): the next start rolls the repair back";
    }
}

Status AclRepairer::restore(const std::string& action_id, TimePoint now) {
    auto found = journal_.find_action(action_id);
    if (!found) {
        return found.error();
    }
    const auto& action = found.value();
    if (!action) {
        return fail("no action " + action_id + " in the journal");
    }
    if (action->kind != ActionKind::acl) {
        return fail("action " + action_id + " is not an ACL repair");
    }
    if (action->result == ActionResult::restored || action->result == ActionResult::rolled_back ||
        action->result == ActionResult::failed) {
        return fail("action " + action_id + " is " + to_string(action->result) +
                    ": the folder already has its earlier permissions");
    }
    if (auto put_back = restore_descriptor(action->acl_path, action->saved_descriptor); !put_back) {
        return fail("restore of " + action_id + " failed: " + put_back.error().message);
    }
    return journal_.append(
        action_id,
        OutcomeEvent{Outcome::restored, "permissions of " + path_to_utf8(action->acl_path) +
                                            " put back as saved before the repair"},
        now);
}

std::vector<RecoveryOutcome> AclRepairer::recover(TimePoint now) {
    std::vector<RecoveryOutcome> outcomes;
    for (const auto& action : journal_.actions()) {
        if (action.kind != ActionKind::acl || action.result != ActionResult::in_progress) {
            continue;
        }
        const Status put_back = restore_descriptor(action.acl_path, action.saved_descriptor);
        std::string detail = put_back ? "interrupted; recovered at start: permissions of " +
                                            path_to_utf8(action.acl_path) + " put back as saved"
                                      : "interrupted; putting the saved permissions back failed: " +
                                            put_back.error().message;
        const Outcome outcome = put_back ? Outcome::rolled_back : Outcome::failed;
        if (auto written = journal_.append(action.id, OutcomeEvent{outcome, detail}, now);
            !written) {
            detail += "; the journal could not record this (" + written.error().message +
                      "): the next start does it again";
        }
        outcomes.push_back({action.id, detail, {}, false});
    }
    return outcomes;
}

std::optional<std::string> AclRepairer::repair_blocked(const fs::path& folder,
                                                       TimePoint now) const {
    std::optional<ActionSummary> last;
    for (auto& action : journal_.actions()) {
        if (action.kind == ActionKind::acl && action.acl_path == folder) {
            last = std::move(action);
        }
    }
    if (!last) {
        return std::nullopt;
    }
    switch (last->result) {
        case ActionResult::verified:
            return std::nullopt;  // it worked once; the rights were taken away again since
        case ActionResult::rolled_back:
            return std::nullopt;  // psguard's own crash recovery undid it: try again
        case ActionResult::in_progress:
        case ActionResult::awaiting_verification:
            return "repair " + last->id + " of this folder awaits verification";
        default:
            break;
    }
    if (now - last->time < kAclRepairRetryAfter) {
        return "repair " + last->id + " of this folder ended " + to_string(last->result) +
               " less than 24 hours ago (" + last->detail + ")";
    }
    return std::nullopt;
}

std::vector<ActionSummary> AclRepairer::awaiting_verification() const {
    std::vector<ActionSummary> waiting;
    for (auto& action : journal_.actions()) {
        if (action.kind == ActionKind::acl &&
            action.result == ActionResult::awaiting_verification) {
            waiting.push_back(std::move(action));
        }
    }
    return waiting;
}

}  // namespace psguard
