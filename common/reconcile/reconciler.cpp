#include <algorithm>
#include <cctype>
#include <map>

#include "core/ascii.hpp"
#include "ns/ns_status.hpp"
#include "reconcile/verdict.hpp"

namespace psguard {
namespace {

LocalView view_of(const LocalPackage& package) {
    return LocalView{package.status().value_or(""), package.version().value_or("")};
}

NsView view_of(const NsPackageRow& row) {
    return NsView{row.status, row.ns_version.value_or(""), row.reported_version.value_or("")};
}

constexpr std::string_view kHealthy = "Ready here and on the NS";

constexpr std::string_view kDeletedLocally =
    "the Package Server marks it Deleted (no longer assigned): the agent removes it after its "
    "clean-up delay; nothing to heal";

bool marked_deleted(const LocalPackage& package) {
    const auto status = package.status();
    return status && is_deleted_status(*status);
}

// Verdicts that need no NS data; nullopt when the package looks complete and Ready here.
std::optional<std::pair<Verdict, std::string>> local_only_verdict(const LocalPackage& package) {
    if (package.unreadable_reason) {
        return std::pair{Verdict::unreadable, *package.unreadable_reason};
    }
    if (marked_deleted(package)) {
        return std::pair{Verdict::deleted, std::string(kDeletedLocally)};
    }
    if (package.incomplete_reason) {
        return std::pair{Verdict::not_ready_locally, *package.incomplete_reason};
    }
    // A package needs both halves: its files in Package Delivery and its status in PackageStatus.
    if (package.delivery_folder.empty()) {
        return std::pair{Verdict::not_ready_locally,
                         std::string("PackageStatus has it, but Package Delivery has no folder "
                                     "for it: the package files are not here")};
    }
    if (package.status_folder.empty()) {
        return std::pair{Verdict::not_ready_locally,
                         std::string("Package Delivery has it, but PackageStatus has no folder for "
                                     "it: the agent has not recorded its status")};
    }
    const auto status = package.status();
    if (!status) {
        return std::pair{Verdict::not_ready_locally,
                         std::string("no status could be read from PackageStatus.xml")};
    }
    if (!is_ready_status(*status)) {
        return std::pair{Verdict::not_ready_locally,
                         "the Package Server reports it \"" + *status + "\", not Ready"};
    }
    return std::nullopt;
}

std::string pending_reason(const std::string& ns_status) {
    return "Ready here, \"" + ns_status +
           "\" on the NS: may still settle; stale only if it lasts past the grace period";
}

std::string past_grace_reason(const std::string& ns_status) {
    return "Ready here, \"" + ns_status + "\" on the NS for longer than the grace period";
}

PackageVerdict judge(const std::string& id, const LocalPackage* local, const NsPackageRow* row,
                     const ReconcileOptions& options) {
    PackageVerdict result;
    result.id = id;
    if (local) {
        result.local = view_of(*local);
    }
    if (row) {
        result.ns = view_of(*row);
        result.name = row->name;
    }
    // Every caller returns what it gives at once: the verdict moves out, not copied.
    const auto set = [&](Verdict verdict, std::string reason) {
        result.verdict = verdict;
        result.reason = std::move(reason);
        return std::move(result);
    };

    const NsPackageStatus ns_status =
        row ? classify_ns_status(row->status) : NsPackageStatus::unrecognised;
    if (!local) {
        if (ns_status == NsPackageStatus::deleted) {
            return set(Verdict::deleted,
                       "the NS marks it Deleted for this Package Server, and the folders no longer "
                       "have it");
        }
        return set(Verdict::missing_locally,
                   "the NS expects it on this Package Server (status \"" + row->status +
                       "\"), but neither Package Delivery nor PackageStatus has it");
    }
    if (local->unreadable_reason) {
        return set(Verdict::unreadable, *local->unreadable_reason);
    }
    if (marked_deleted(*local)) {
        return set(Verdict::deleted, std::string(kDeletedLocally));
    }
    if (!row) {
        return set(Verdict::unknown_to_ns,
                   "present on this Package Server, but the NS does not list it for this server");
    }
    if (auto verdict = local_only_verdict(*local)) {
        return set(verdict->first, verdict->second);
    }
    if (ns_status == NsPackageStatus::deleted) {
        return set(Verdict::deleted,
                   "the NS marks it Deleted for this Package Server (no longer assigned): the "
                   "agent removes it; nothing to heal");
    }
    const std::string local_version = result.local->version;
    if (row->ns_version && !local_version.empty() && *row->ns_version != local_version) {
        return set(Verdict::version_mismatch, "this Package Server holds version " + local_version +
                                                  ", the NS distributes " + *row->ns_version);
    }
    switch (ns_status) {
        case NsPackageStatus::ready:
            return set(Verdict::healthy, std::string(kHealthy));
        case NsPackageStatus::invalid:
            return set(Verdict::stale_on_ns,
                       "Ready here, Invalid on the NS: the NS holds a stale status for this "
                       "package");
        case NsPackageStatus::unrecognised:
            return set(Verdict::unrecognised_ns_status,
                       "Ready here; the NS reports \"" + row->status +
                           "\", a status psguard does not know: not judged healthy, never healed "
                           "(docs/check.md lists the known ones)");
        default:
            break;
    }
    if (options.pending_past_grace.contains(result.id)) {
        return set(Verdict::stale_on_ns, past_grace_reason(row->status));
    }
    return set(Verdict::pending_on_ns, pending_reason(row->status));
}

// The agent's error text the NS keeps for a package, quoted in every reason but healthy's.
void cite_ns_error(PackageVerdict& verdict, const NsPackageRow* row) {
    if (row == nullptr || !row->error || verdict.verdict == Verdict::healthy) {
        return;
    }
    verdict.reason += "; the NS holds the agent's error for it: \"" + *row->error + "\"";
}

}  // namespace

std::string_view to_string(Verdict verdict) {
    switch (verdict) {
        case Verdict::healthy:
            return "healthy";
        case Verdict::stale_on_ns:
            return "stale_on_ns";
        case Verdict::pending_on_ns:
            return "pending_on_ns";
        case Verdict::version_mismatch:
            return "version_mismatch";
        case Verdict::not_ready_locally:
            return "not_ready_locally";
        case Verdict::missing_locally:
            return "missing_locally";
        case Verdict::unknown_to_ns:
            return "unknown_to_ns";
        case Verdict::unreadable:
            return "unreadable";
        case Verdict::deleted:
            return "deleted";
        case Verdict::unrecognised_ns_status:
            return "unrecognised_ns_status";
    }
    return "unknown";
}

bool needs_attention(Verdict verdict) {
    return verdict != Verdict::healthy && verdict != Verdict::deleted;
}

bool is_ready_status(std::string_view status) {
    // The same words as the NS's: the agent reports Ready to the NS as "Codebase Enabled".
    return classify_ns_status(status) == NsPackageStatus::ready;
}

bool is_deleted_status(std::string_view status) {
    return classify_ns_status(status) == NsPackageStatus::deleted;
}

namespace {

// An optional NS value against the text a verdict's view keeps of it (empty for none): equal
// only when judging would not tell them apart (an empty value is not the same as none).
bool same_value(const std::optional<std::string>& value, const std::string& kept) {
    return value ? !value->empty() && *value == kept : kept.empty();
}

// Whether judging the package again would give `previous` once more: its local state was not
// read again (the caller's part), it was healthy as reconcile() gave it (no reason added since:
// the cycle only adds to the reasons of other verdicts) and every NS value judge() reads or the
// verdict shows is unchanged. The row's error text is not shown with a healthy verdict.
bool still_healthy(const PackageVerdict& previous, const NsPackageRow& row) {
    return previous.verdict == Verdict::healthy && previous.reason == kHealthy && previous.ns &&
           previous.local && previous.name == row.name && previous.ns->status == row.status &&
           same_value(row.ns_version, previous.ns->version) &&
           same_value(row.reported_version, previous.ns->reported_version);
}

// How many packages the join of both sides gives: each id of either side once.
std::size_t joined_count(const LocalScan& local, const std::vector<const NsPackageRow*>& rows) {
    std::size_t shared = 0;
    auto package = local.packages.begin();
    auto row = rows.begin();
    while (package != local.packages.end() && row != rows.end()) {
        if (package->first < (*row)->id) {
            ++package;
        } else if ((*row)->id < package->first) {
            ++row;
        } else {
            ++shared;
            ++package;
            ++row;
        }
    }
    return local.packages.size() + rows.size() - shared;
}

// The join of both sides in id order; `previous`, when given, lends the verdicts it can.
std::vector<PackageVerdict> join_and_judge(const LocalScan& local, const NsAnswer& ns,
                                           const ReconcileOptions& options,
                                           const PreviousVerdicts* previous) {
    // The NS rows in id order, the first of duplicates kept (the parser refuses an answer with
    // duplicates); joined with the local packages (a map, in id order) in one merge walk.
    std::vector<const NsPackageRow*> rows;
    rows.reserve(ns.rows.size());
    for (const auto& row : ns.rows) {
        rows.push_back(&row);
    }
    const auto by_id = [](const NsPackageRow* a, const NsPackageRow* b) { return a->id < b->id; };
    std::stable_sort(rows.begin(), rows.end(), by_id);
    rows.erase(
        std::unique(rows.begin(), rows.end(),
                    [](const NsPackageRow* a, const NsPackageRow* b) { return a->id == b->id; }),
        rows.end());

    // The previous verdicts are in id order too: one cursor follows the walk.
    auto kept =
        previous ? previous->verdicts.begin() : std::vector<PackageVerdict>::const_iterator{};
    const auto kept_end = previous ? previous->verdicts.end() : kept;
    const auto reusable = [&](const std::string& id, const NsPackageRow& row) {
        while (kept != kept_end && kept->id < id) {
            ++kept;
        }
        return kept != kept_end && kept->id == id && !previous->rescanned.contains(id) &&
               still_healthy(*kept, row);
    };

    // Walks both in id order; a side that lacks the id is judged as nullptr. Sized exactly by
    // a first walk over the ids (cheap next to the verdicts): the vector is kept with the report
    // until the next cycle, and growing or shrinking it would move 10,000 verdicts.
    std::vector<PackageVerdict> verdicts;
    verdicts.reserve(joined_count(local, rows));
    auto package = local.packages.begin();
    auto row = rows.begin();
    while (package != local.packages.end() || row != rows.end()) {
        const bool only_local =
            row == rows.end() || (package != local.packages.end() && package->first < (*row)->id);
        const bool only_ns =
            !only_local && (package == local.packages.end() || (*row)->id < package->first);
        const LocalPackage* judged_package = only_ns ? nullptr : &package->second;
        const NsPackageRow* judged_row = only_local ? nullptr : *row;
        const std::string& id = only_ns ? (*row)->id : package->first;
        if (previous && judged_package && judged_row && reusable(id, *judged_row)) {
            verdicts.push_back(*kept);
        } else {
            verdicts.push_back(judge(id, judged_package, judged_row, options));
            cite_ns_error(verdicts.back(), judged_row);
        }
        if (!only_ns) {
            ++package;
        }
        if (!only_local) {
            ++row;
        }
    }
    return verdicts;
}

}  // namespace

std::vector<PackageVerdict> reconcile(const LocalScan& local, const NsAnswer& ns,
                                      const ReconcileOptions& options) {
    return join_and_judge(local, ns, options, nullptr);
}

std::vector<PackageVerdict> reconcile(const LocalScan& local, const NsAnswer& ns,
                                      const ReconcileOptions& options,
                                      const PreviousVerdicts& previous) {
    return join_and_judge(local, ns, options, &previous);
}

void apply_pending_grace(std::vector<PackageVerdict>& verdicts,
                         const std::set<std::string>& past_grace) {
    for (auto& verdict : verdicts) {
        if (verdict.verdict != Verdict::pending_on_ns || !verdict.ns ||
            !past_grace.contains(verdict.id)) {
            continue;
        }
        // What reconcile() added after the pending reason (the NS's error text) stays.
        const std::string pending = pending_reason(verdict.ns->status);
        const std::string tail =
            verdict.reason.starts_with(pending) ? verdict.reason.substr(pending.size()) : "";
        verdict.verdict = Verdict::stale_on_ns;
        verdict.reason = past_grace_reason(verdict.ns->status) + tail;
    }
}

std::vector<PackageVerdict> reconcile_without_ns(const LocalScan& local,
                                                 std::string_view ns_error) {
    std::vector<PackageVerdict> verdicts;
    verdicts.reserve(local.packages.size());
    for (const auto& [id, package] : local.packages) {
        PackageVerdict result;
        result.id = id;
        result.local = view_of(package);
        if (auto verdict = local_only_verdict(package)) {
            result.verdict = verdict->first;
            result.reason = verdict->second;
        } else {
            result.reason = "NS state unknown: " + std::string(ns_error);
        }
        verdicts.push_back(std::move(result));
    }
    return verdicts;
}

}  // namespace psguard
