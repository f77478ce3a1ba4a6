#include <gtest/gtest.h>

#include "reconcile/verdict.hpp"
#include "unit/reconcile_fixture.hpp"

namespace psguard {
namespace {

const std::string kReconcileId = "{6c821f5e-1234-4abc-9def-0123456789ab}";

LocalPackage ready_package(const std::string& version = "1601867730") {
    return test::ready_local_package(kReconcileId, version);
}

NsPackageRow row(const std::string& status, const std::string& version = "1601867730") {
    return NsPackageRow{kReconcileId, "Adobe Reader", "PS01",      status,
                        version,      version,        std::nullopt};
}

PackageVerdict judge_one(std::optional<LocalPackage> local, std::optional<NsPackageRow> ns_row,
                         const ReconcileOptions& options = {}) {
    LocalScan scan;
    if (local) {
        scan.packages.emplace(kReconcileId, *local);
    }
    NsAnswer answer;
    if (ns_row) {
        answer.rows.push_back(*ns_row);
    }
    auto verdicts = reconcile(scan, answer, options);
    EXPECT_EQ(verdicts.size(), 1u);
    return verdicts.at(0);
}

TEST(Reconcile, ReadyOnBothSidesIsHealthy) {
    auto v = judge_one(ready_package(), row("Ready"));
    EXPECT_EQ(v.verdict, Verdict::healthy);
    EXPECT_EQ(v.name, "Adobe Reader");
    EXPECT_EQ(v.local->status, "Ready");
    EXPECT_EQ(v.ns->status, "Ready");
}

TEST(Reconcile, CodebaseEnabledMeansReady) {
    EXPECT_EQ(judge_one(ready_package(), row("Codebase Enabled")).verdict, Verdict::healthy);
}

TEST(Reconcile, ReadyHereInvalidOnNsIsStale) {
    auto v = judge_one(ready_package(), row("Invalid"));
    EXPECT_EQ(v.verdict, Verdict::stale_on_ns);
    EXPECT_NE(v.reason.find("Invalid on the NS"), std::string::npos);
}

TEST(Reconcile, StatusComparisonIgnoresCase) {
    auto local = ready_package();
    local.package_status->status = "READY";
    EXPECT_EQ(judge_one(local, row("invalid")).verdict, Verdict::stale_on_ns);
}

TEST(Reconcile, PendingIsPendingUntilPastGrace) {
    EXPECT_EQ(judge_one(ready_package(), row("Pending")).verdict, Verdict::pending_on_ns);
    EXPECT_EQ(judge_one(ready_package(), row("Retrying Download")).verdict, Verdict::pending_on_ns);
    ReconcileOptions options;
    options.pending_past_grace.insert(kReconcileId);
    auto v = judge_one(ready_package(), row("Pending"), options);
    EXPECT_EQ(v.verdict, Verdict::stale_on_ns);
    EXPECT_NE(v.reason.find("grace"), std::string::npos);
}

// The cycle reconciles once and then applies the grace period: the same verdicts and reasons
// (the NS's error text included) as a reconcile told the packages past the grace period.
TEST(Reconcile, GraceAppliedAfterwardsEqualsGraceGivenToReconcile) {
    LocalScan scan;
    NsAnswer answer;
    for (const char* tail : {"1", "2", "3"}) {
        const std::string id = "{6c821f5e-1234-4abc-9def-00000000000" + std::string(tail) + "}";
        scan.packages.emplace(id, ready_package());
        NsPackageRow ns_row = row(tail == std::string("3") ? "Invalid" : "Pending");
        ns_row.id = id;
        if (tail == std::string("2")) {
            ns_row.error = "Access is denied (-2147024891)";
        }
        answer.rows.push_back(ns_row);
    }
    ReconcileOptions options;
    for (const auto& [id, package] : scan.packages) {
        options.pending_past_grace.insert(id);
    }
    auto once = reconcile(scan, answer, {});
    apply_pending_grace(once, options.pending_past_grace);
    const auto told = reconcile(scan, answer, options);
    ASSERT_EQ(once.size(), told.size());
    for (std::size_t i = 0; i < once.size(); ++i) {
        EXPECT_EQ(once[i].verdict, told[i].verdict) << once[i].id;
        EXPECT_EQ(once[i].reason, told[i].reason) << once[i].id;
    }
    EXPECT_EQ(once[1].verdict, Verdict::stale_on_ns);
    EXPECT_NE(once[1].reason.find("Access is denied"), std::string::npos) << once[1].reason;

    auto none_past = reconcile(scan, answer, {});
    apply_pending_grace(none_past, {});
    EXPECT_EQ(none_past[0].verdict, Verdict::pending_on_ns);
}

TEST(Reconcile, KnownNsStatusWordsInAnyCaseWithBlanks) {
    EXPECT_EQ(judge_one(ready_package(), row("  ready\t")).verdict, Verdict::healthy);
    EXPECT_EQ(judge_one(ready_package(), row(" INVALID ")).verdict, Verdict::stale_on_ns);
    for (const char* word : {"Pending", "download pending", "Retrying Download", "NOT READY",
                             "Waiting to retry", " pending "}) {
        EXPECT_EQ(judge_one(ready_package(), row(word)).verdict, Verdict::pending_on_ns) << word;
    }
}

TEST(Reconcile, AnUnknownNsStatusIsReportedVerbatimAndNeverStale) {
    ReconcileOptions options;
    options.pending_past_grace.insert(kReconcileId);  // even past the grace period
    auto v = judge_one(ready_package(), row("Quarantined by policy"), options);
    EXPECT_EQ(v.verdict, Verdict::unrecognised_ns_status);
    EXPECT_EQ(v.ns->status, "Quarantined by policy");
    EXPECT_NE(v.reason.find("\"Quarantined by policy\""), std::string::npos) << v.reason;
    EXPECT_TRUE(needs_attention(*v.verdict));
}

TEST(Reconcile, DeletedLocallyIsInformationalWhateverTheNsSays) {
    auto local = ready_package();
    local.package_status->status = "Deleted";
    for (const char* ns_status : {"Invalid", "Ready", "Pending"}) {
        auto v = judge_one(local, row(ns_status));
        EXPECT_EQ(v.verdict, Verdict::deleted) << ns_status;
        EXPECT_FALSE(needs_attention(*v.verdict));
    }
    // Not unknown_to_ns when the NS no longer lists it.
    EXPECT_EQ(judge_one(local, std::nullopt).verdict, Verdict::deleted);
    // And without the NS.
    LocalScan scan;
    scan.packages.emplace(kReconcileId, local);
    EXPECT_EQ(reconcile_without_ns(scan, "down").at(0).verdict, Verdict::deleted);
}

TEST(Reconcile, DeletedOnTheNsIsNeverHealedNorMissing) {
    EXPECT_EQ(judge_one(ready_package(), row("deleted")).verdict, Verdict::deleted);
    EXPECT_EQ(judge_one(std::nullopt, row("Deleted")).verdict, Verdict::deleted);
}

TEST(Reconcile, NeverReportedVersionIsNoObstacleToStale) {
    auto ns = row("Invalid");
    ns.reported_version.reset();  // NULL: the Package Server never reported
    ns.name.clear();              // NULL name
    EXPECT_EQ(judge_one(ready_package(), ns).verdict, Verdict::stale_on_ns);
}

TEST(Reconcile, TheNsErrorTextIsQuotedInTheReason) {
    auto ns = row("Invalid");
    ns.error = "Access is denied (-2147024891)";
    auto v = judge_one(ready_package(), ns);
    EXPECT_NE(v.reason.find("\"Access is denied (-2147024891)\""), std::string::npos) << v.reason;
    auto ready = row("Ready");
    ready.error = "old error";
    EXPECT_EQ(judge_one(ready_package(), ready).reason, "Ready here and on the NS");
}

TEST(Reconcile, DifferentVersionIsAMismatchNotStale) {
    auto v = judge_one(ready_package("1601867730"), row("Invalid", "1601867999"));
    EXPECT_EQ(v.verdict, Verdict::version_mismatch);
    EXPECT_NE(v.reason.find("1601867999"), std::string::npos);
}

TEST(Reconcile, LocallyNotReady) {
    auto local = ready_package();
    local.package_status->status = "Downloading";
    auto v = judge_one(local, row("Invalid"));
    EXPECT_EQ(v.verdict, Verdict::not_ready_locally);
    EXPECT_NE(v.reason.find("Downloading"), std::string::npos);

    auto incomplete = ready_package();
    incomplete.incomplete_reason = "cache/setup.exe missing";
    EXPECT_EQ(judge_one(incomplete, row("Ready")).verdict, Verdict::not_ready_locally);

    auto no_status = ready_package();
    no_status.package_status.reset();
    no_status.incomplete_reason = "PackageStatus.xml missing";
    EXPECT_EQ(judge_one(no_status, row("Ready")).verdict, Verdict::not_ready_locally);
}

TEST(Reconcile, OneHalfOfAPackageIsNotReady) {
    auto status_only = ready_package();
    status_only.delivery_folder = {};
    status_only.snapshot.reset();
    auto v = judge_one(status_only, row("Invalid"));
    EXPECT_EQ(v.verdict, Verdict::not_ready_locally);
    EXPECT_NE(v.reason.find("Package Delivery has no folder"), std::string::npos);

    auto delivery_only = ready_package();
    delivery_only.status_folder = {};
    delivery_only.package_status.reset();
    v = judge_one(delivery_only, row("Invalid"));
    EXPECT_EQ(v.verdict, Verdict::not_ready_locally);
    EXPECT_NE(v.reason.find("PackageStatus has no folder"), std::string::npos);
}

TEST(Reconcile, MissingLocallyAndUnknownToNs) {
    EXPECT_EQ(judge_one(std::nullopt, row("Ready")).verdict, Verdict::missing_locally);
    EXPECT_EQ(judge_one(ready_package(), std::nullopt).verdict, Verdict::unknown_to_ns);
}

TEST(Reconcile, UnreadableWins) {
    auto local = ready_package();
    local.unreadable_reason = "snapshot.xml: malformed XML at offset 12";
    auto v = judge_one(local, row("Invalid"));
    EXPECT_EQ(v.verdict, Verdict::unreadable);
    EXPECT_EQ(v.reason, "snapshot.xml: malformed XML at offset 12");
    EXPECT_EQ(judge_one(local, std::nullopt).verdict, Verdict::unreadable);
}

TEST(Reconcile, JoinsBothSidesAndSortsById) {
    LocalScan scan;
    const std::string a = "{00000000-0000-4000-8000-00000000000a}";
    const std::string b = "{00000000-0000-4000-8000-00000000000b}";
    scan.packages.emplace(b, ready_package());
    scan.packages.emplace(a, ready_package());
    NsAnswer answer;
    auto rb = row("Ready");
    rb.id = b;
    auto rc = row("Ready");
    rc.id = "{00000000-0000-4000-8000-00000000000c}";
    answer.rows = {rc, rb};
    auto verdicts = reconcile(scan, answer, {});
    ASSERT_EQ(verdicts.size(), 3u);
    EXPECT_EQ(verdicts[0].verdict, Verdict::unknown_to_ns);
    EXPECT_EQ(verdicts[1].verdict, Verdict::healthy);
    EXPECT_EQ(verdicts[2].verdict, Verdict::missing_locally);
}

TEST(Reconcile, InterleavedIdsJoinInOrderTheFirstDuplicateRowCountsAndNothingIsOverReserved) {
    const auto id = [](char last) {
        return std::string("{00000000-0000-4000-8000-00000000000") + last + "}";
    };
    LocalScan scan;
    for (const char last : {'a', 'c', 'e'}) {
        scan.packages.emplace(id(last), ready_package());
    }
    NsAnswer answer;
    for (const auto& [last, status] : std::vector<std::pair<char, const char*>>{
             {'d', "Ready"}, {'c', "Ready"}, {'b', "Ready"}, {'c', "Invalid"}, {'a', "Ready"}}) {
        auto ns_row = row(status);
        ns_row.id = id(last);
        answer.rows.push_back(ns_row);
    }
    const auto verdicts = reconcile(scan, answer, {});
    ASSERT_EQ(verdicts.size(), 5u);
    const std::vector<std::pair<char, Verdict>> expected = {{'a', Verdict::healthy},
                                                            {'b', Verdict::missing_locally},
                                                            {'c', Verdict::healthy},
                                                            {'d', Verdict::missing_locally},
                                                            {'e', Verdict::unknown_to_ns}};
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(verdicts[i].id, id(expected[i].first));
        EXPECT_EQ(verdicts[i].verdict, expected[i].second) << verdicts[i].id;
    }
    // The verdicts are kept with the published report until the next cycle.
    EXPECT_EQ(verdicts.capacity(), verdicts.size());
}

TEST(ReconcileWithoutNs, GivesOnlyLocalVerdicts) {
    LocalScan scan;
    auto ready = ready_package();
    auto broken = ready_package();
    broken.unreadable_reason = "truncated";
    scan.packages.emplace(kReconcileId, ready);
    scan.packages.emplace("{00000000-0000-4000-8000-00000000000b}", broken);
    auto verdicts = reconcile_without_ns(scan, "connect refused");
    ASSERT_EQ(verdicts.size(), 2u);
    EXPECT_EQ(verdicts[0].verdict, Verdict::unreadable);
    EXPECT_FALSE(verdicts[1].verdict.has_value());
    EXPECT_NE(verdicts[1].reason.find("connect refused"), std::string::npos);
    EXPECT_FALSE(verdicts[1].ns.has_value());
}

TEST(VerdictNames, AreTheContract) {
    std::vector<std::string> names;
    for (auto v : kAllVerdicts) {
        names.emplace_back(to_string(v));
    }
    EXPECT_EQ(names, (std::vector<std::string>{"healthy", "stale_on_ns", "pending_on_ns",
                                               "version_mismatch", "not_ready_locally",
                                               "missing_locally", "unknown_to_ns", "unreadable",
                                               "deleted", "unrecognised_ns_status"}));
}

}  // namespace
}  // namespace psguard
