// One verdict per package: what the Package Server holds compared with what the NS believes.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "local/local_state.hpp"
#include "ns/ns_answer.hpp"

namespace psguard {

enum class Verdict {
    healthy,            // Ready here, Ready on the NS, same version
    stale_on_ns,        // Ready here, Invalid on the NS (or non-Ready past the grace period)
    pending_on_ns,      // Ready here, Pending (or another non-Ready) on the NS, within grace
    version_mismatch,   // the version here is not the version the NS distributes
    not_ready_locally,  // the Package Server itself does not hold a complete, Ready package
    missing_locally,    // the NS expects the package here, the folders do not have it
    unknown_to_ns,      // the folders have it, the NS does not list it for this server
    unreadable,         // the package's files could not be read or parsed
    deleted,            // marked Deleted (here or on the NS): unassigned, being removed; no action
    unrecognised_ns_status,  // the NS reports a status word psguard does not know
};

inline constexpr Verdict kAllVerdicts[] = {
    Verdict::healthy,           Verdict::stale_on_ns,
    Verdict::pending_on_ns,     Verdict::version_mismatch,
    Verdict::not_ready_locally, Verdict::missing_locally,
    Verdict::unknown_to_ns,     Verdict::unreadable,
    Verdict::deleted,           Verdict::unrecognised_ns_status};

std::string_view to_string(Verdict verdict);

// Healthy and deleted packages need nothing; every other verdict makes `psguard check` exit 1.
bool needs_attention(Verdict verdict);

struct LocalView {
    std::string status;   // empty when unknown
    std::string version;  // empty when unknown
};

struct NsView {
    std::string status;
    std::string version;           // Package Version on NS
    std::string reported_version;  // Version Last Reported by PS
};

struct PackageVerdict {
    std::string id;                  // normalised, as LocalScan's keys and the NS rows' ids
    std::string name;                // from the NS; empty when the NS does not list it
    std::optional<Verdict> verdict;  // nullopt: depends on NS data psguard does not have
    std::string reason;
    std::optional<LocalView> local;
    std::optional<NsView> ns;
};

struct ReconcileOptions {
    // Packages whose non-Ready, non-Invalid NS status has lasted past the grace period (the
    // agent loop tracks this across cycles; a one-shot check leaves it empty).
    std::set<std::string> pending_past_grace;
};

// Ordered by package id; local packages and NS rows joined on the normalised id.
std::vector<PackageVerdict> reconcile(const LocalScan& local, const NsAnswer& ns,
                                      const ReconcileOptions& options);

// What an incremental cycle keeps from the cycle before: that cycle's verdicts (in id order)
// and the packages its scan has read again since (ScanCache::refresh); every other package's
// local state is the one those verdicts were judged from.
struct PreviousVerdicts {
    const std::vector<PackageVerdict>& verdicts;
    const std::set<std::string>& rescanned;
};

// reconcile() for an incremental cycle: a package that was healthy, was not read again and whose
// NS row is as it was keeps its verdict (copied, not judged again); every other package is
// judged. The same verdicts as reconcile() gives, in a fraction of its time when one package
// of 10,000 changed.
std::vector<PackageVerdict> reconcile(const LocalScan& local, const NsAnswer& ns,
                                      const ReconcileOptions& options,
                                      const PreviousVerdicts& previous);

// The same verdicts as reconcile() with `past_grace` as ReconcileOptions::pending_past_grace,
// from reconcile()'s verdicts without it: the agent loop learns which packages are past the grace
// period from this cycle's pending verdicts, so the cycle reconciles once.
void apply_pending_grace(std::vector<PackageVerdict>& verdicts,
                         const std::set<std::string>& past_grace);

// When the NS could not be asked or its answer is unusable: only verdicts that rest on local
// facts alone (unreadable, not_ready_locally) are given; every other package has no verdict.
std::vector<PackageVerdict> reconcile_without_ns(const LocalScan& local, std::string_view ns_error);

// The Package Server's own status words (PackageStatus.xml), blanks and case ignored.
bool is_ready_status(std::string_view status);
bool is_deleted_status(std::string_view status);

}  // namespace psguard
