// The incremental reconcile of a file-change cycle: the verdicts it keeps from the cycle before
// and the ones it judges again must be exactly those a full reconcile gives.
#include <gtest/gtest.h>

#include <random>

#include "reconcile/verdict.hpp"
#include "unit/reconcile_fixture.hpp"

namespace psguard {
namespace {

std::string incremental_id(int n) {
    char text[40];
    std::snprintf(text, sizeof text, "{6c821f5e-1234-4abc-9def-%012d}", n);
    return text;
}

NsPackageRow ns_row(const std::string& id, const std::string& status,
                    std::optional<std::string> version = "7") {
    return NsPackageRow{
        id, "Package " + id.substr(30, 7), "PS01", status, version, version, std::nullopt};
}

// Every field a user sees of a verdict.
void expect_same_verdicts(const std::vector<PackageVerdict>& got,
                          const std::vector<PackageVerdict>& want, const std::string& context) {
    ASSERT_EQ(got.size(), want.size()) << context;
    for (std::size_t i = 0; i < want.size(); ++i) {
        SCOPED_TRACE(context + " " + want[i].id);
        EXPECT_EQ(got[i].id, want[i].id);
        EXPECT_EQ(got[i].name, want[i].name);
        EXPECT_EQ(got[i].verdict, want[i].verdict);
        EXPECT_EQ(got[i].reason, want[i].reason);
        ASSERT_EQ(got[i].local.has_value(), want[i].local.has_value());
        if (want[i].local) {
            EXPECT_EQ(got[i].local->status, want[i].local->status);
            EXPECT_EQ(got[i].local->version, want[i].local->version);
        }
        ASSERT_EQ(got[i].ns.has_value(), want[i].ns.has_value());
        if (want[i].ns) {
            EXPECT_EQ(got[i].ns->status, want[i].ns->status);
            EXPECT_EQ(got[i].ns->version, want[i].ns->version);
            EXPECT_EQ(got[i].ns->reported_version, want[i].ns->reported_version);
        }
    }
}

// One package's local state, drawn from what the scanner produces.
std::optional<LocalPackage> random_local(std::mt19937& random, const std::string& id) {
    switch (random() % 8) {
        case 0:
            return std::nullopt;
        case 1: {
            auto package = test::ready_local_package(id, "7");
            package.package_status->status = "Downloading";
            return package;
        }
        case 2: {
            auto package = test::ready_local_package(id, "7");
            package.unreadable_reason = "snapshot.xml: truncated";
            return package;
        }
        case 3:
            return test::ready_local_package(id, "8");  // not the version the NS distributes
        case 4: {
            auto package = test::ready_local_package(id, "7");
            package.status_folder = PackageFolder{};
            return package;
        }
        default:
            return test::ready_local_package(id, "7");
    }
}

// One package's NS row, drawn from what the report parser produces.
std::optional<NsPackageRow> random_row(std::mt19937& random, const std::string& id) {
    switch (random() % 12) {
        case 0:
            return std::nullopt;
        case 1:
            return ns_row(id, "Invalid");
        case 2:
            return ns_row(id, "Pending");
        case 3:
            return ns_row(id, "Deleted");
        case 4:
            return ns_row(id, "Ready", std::nullopt);  // NULL cells omitted
        case 5:
            return ns_row(id, "Ready", "");  // an empty cell: not the same as none
        case 6: {
            auto row = ns_row(id, "Ready");
            row.name.clear();
            return row;
        }
        case 7: {
            auto row = ns_row(id, "Ready");
            row.error = "Access is denied (-2147024891)";
            return row;
        }
        case 8:
            return ns_row(id, "Codebase Enabled");
        default:
            return ns_row(id, "Ready");
    }
}

// Property: over random trees and random changes between two cycles (packages read again,
// rows changed, added or gone), keeping the previous verdicts gives what a full reconcile gives.
TEST(ReconcileIncremental, GivesTheVerdictsOfAFullReconcile) {
    for (unsigned seed = 1; seed <= 40; ++seed) {
        std::mt19937 random(seed);
        LocalScan scan;
        NsAnswer answer;
        for (int n = 0; n < 60; ++n) {
            const std::string id = incremental_id(n);
            if (auto local = random_local(random, id)) {
                scan.packages.emplace(id, std::move(*local));
            }
            if (auto row = random_row(random, id)) {
                answer.rows.push_back(std::move(*row));
            }
        }
        const auto before = reconcile(scan, answer, {});

        std::set<std::string> rescanned;
        for (int n = 0; n < 70; ++n) {  // ids past 59 are new packages
            const std::string id = incremental_id(n);
            if (random() % 4 == 0) {
                rescanned.insert(id);
                scan.packages.erase(id);
                if (auto local = random_local(random, id)) {
                    scan.packages.emplace(id, std::move(*local));
                }
            }
        }
        std::shuffle(answer.rows.begin(), answer.rows.end(), random);  // the NS keeps no order
        for (auto& row : answer.rows) {
            if (random() % 5 == 0) {
                row = random_row(random, row.id).value_or(ns_row(row.id, "Invalid"));
            }
        }
        std::erase_if(answer.rows, [&](const NsPackageRow&) { return random() % 15 == 0; });
        answer.rows.push_back(ns_row(incremental_id(60 + static_cast<int>(seed % 10)), "Ready"));

        const auto full = reconcile(scan, answer, {});
        const auto incremental = reconcile(scan, answer, {}, PreviousVerdicts{before, rescanned});
        expect_same_verdicts(incremental, full, "seed " + std::to_string(seed));
    }
}

// The contract the agent relies on: a package not read again keeps its previous healthy verdict
// as it was (the local state it was judged from is the scan's). Judging it again would show the
// scan's version, so this fails if nothing is kept.
TEST(ReconcileIncremental, APackageNotReadAgainKeepsItsHealthyVerdict) {
    const std::string id = incremental_id(1);
    LocalScan scan;
    scan.packages.emplace(id, test::ready_local_package(id, "7"));
    NsAnswer answer{{ns_row(id, "Ready")}};
    auto previous = reconcile(scan, answer, {});
    ASSERT_EQ(previous.at(0).verdict, Verdict::healthy);
    previous.at(0).local->status = "kept";

    const auto kept = reconcile(scan, answer, {}, PreviousVerdicts{previous, {}});
    EXPECT_EQ(kept.at(0).local->status, "kept");
    const auto judged = reconcile(scan, answer, {}, PreviousVerdicts{previous, {id}});
    EXPECT_EQ(judged.at(0).local->status, "Ready");
}

// What the cycle adds to a verdict after reconcile (an agent-view note, a stale explanation, the
// grace period) is never carried into the next cycle: only untouched healthy verdicts are kept.
TEST(ReconcileIncremental, AVerdictTheCycleAnnotatedIsJudgedAgain) {
    const std::string id = incremental_id(2);
    LocalScan scan;
    scan.packages.emplace(id, test::ready_local_package(id, "7"));
    NsAnswer answer{{ns_row(id, "Ready")}};
    auto previous = reconcile(scan, answer, {});
    previous.at(0).reason += " (its files could not be read: the agent's own view was used)";
    const auto again = reconcile(scan, answer, {}, PreviousVerdicts{previous, {}});
    EXPECT_EQ(again.at(0).reason, "Ready here and on the NS");
}

// Each NS value judge() reads: a change of any of them is judged again.
TEST(ReconcileIncremental, AChangedRowIsJudgedAgain) {
    const std::string id = incremental_id(3);
    LocalScan scan;
    scan.packages.emplace(id, test::ready_local_package(id, "7"));
    const auto previous = reconcile(scan, NsAnswer{{ns_row(id, "Ready")}}, {});
    const auto again = [&](NsPackageRow row) {
        return reconcile(scan, NsAnswer{{std::move(row)}}, {}, PreviousVerdicts{previous, {}})
            .at(0);
    };
    EXPECT_EQ(again(ns_row(id, "Invalid")).verdict, Verdict::stale_on_ns);
    EXPECT_EQ(again(ns_row(id, "Ready", "9")).verdict, Verdict::version_mismatch);
    EXPECT_EQ(again(ns_row(id, "Ready", "")).verdict, Verdict::version_mismatch);
    auto renamed = ns_row(id, "Ready");
    renamed.name = "Adobe Reader DC";
    EXPECT_EQ(again(renamed).name, "Adobe Reader DC");
    auto reported = ns_row(id, "Ready");
    reported.reported_version = "6";
    EXPECT_EQ(again(reported).ns->reported_version, "6");
}

}  // namespace
}  // namespace psguard
