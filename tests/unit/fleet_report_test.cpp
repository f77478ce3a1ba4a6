#include "smp/fleet_report.hpp"

#include <gtest/gtest.h>

namespace psguard {
namespace {

FleetStatus sample() {
    FleetStatus status;
    status.version = "0.1.0";
    status.cycle_time = parse_utc("2026-11-26T06:30:00Z").value();
    status.result = "findings";
    status.verdict_counts = {30, 2, 1, 0, 3, 0, 0, 0, 4, 0};
    status.diagnosis = "credential_not_applied";
    status.diagnosis_summary = "The agent failed to authenticate while reporting status.";
    status.acl_ok = true;
    status.heal_enabled = true;
    status.heal_actions_24h = 4;
    status.heal_failures_24h = 1;
    return status;
}

TEST(FleetReport, TheRowHasOneValuePerDocumentedColumnInOrder) {
    const auto row = fleet_row(sample());
    ASSERT_EQ(row.size(), kFleetColumns.size());
    EXPECT_EQ(row, (std::vector<std::string>{"0.1.0", "2026-11-26T06:30:00Z", "findings", "30", "2",
                                             "1", "0", "3", "0", "0", "0", "4", "0", "credential_not_applied",
                                             "The agent failed to authenticate while reporting "
                                             "status.",
                                             "1", "1", "4", "1", ""}));
}

TEST(FleetReport, AclStateIsOneZeroOrMinusOne) {
    FleetStatus status = sample();
    status.acl_ok = false;
    EXPECT_EQ(fleet_row(status)[15], "0");
    status.acl_ok.reset();
    EXPECT_EQ(fleet_row(status)[15], "-1");
}

TEST(FleetReport, TextIsCutToItsColumnOnCharacterBoundaries) {
    FleetStatus status = sample();
    status.diagnosis_summary.clear();
    for (int i = 0; i < 300; ++i) {
        status.diagnosis_summary += "\xC3\xA9";  // é: two bytes, one character
    }
    status.breaker = std::string(400, 'x');
    const auto row = fleet_row(status);
    const std::string cut = row[14];
    EXPECT_EQ(cut.size(), 247u * 2 + 3);  // 247 characters and "..."
    EXPECT_TRUE(cut.ends_with("\xC3\xA9..."));
    EXPECT_EQ(row[19], std::string(247, 'x') + "...");
    EXPECT_EQ(fit_column("short", 250), "short");
    EXPECT_EQ(fit_column("abcdef", 2), "ab");
}

TEST(FleetReport, TheMessageGoesToTheInventoryCaptureItem) {
    const NseMessage message = fleet_message("{9d1d7a66-2b0f-4c1e-8a77-5c0b3d2e1f10}", sample());
    EXPECT_EQ(message.to, "{1592B913-72F3-4C36-91D2-D4EDA21D2F96}");
    EXPECT_EQ(message.priority, 1);
    EXPECT_EQ(message.data_class, "{9d1d7a66-2b0f-4c1e-8a77-5c0b3d2e1f10}");
    ASSERT_EQ(message.rows.size(), 1u);
}

TEST(FleetReport, SentAtOnceWhenTheSummaryChangesElseOncePerInterval) {
    const TimePoint t0 = parse_utc("2026-11-26T06:30:00Z").value();
    const FleetStatus status = sample();
    const std::string fingerprint = status.fingerprint();
    const std::chrono::hours day{24};
    EXPECT_TRUE(fleet_row_due({}, fingerprint, day, t0));
    const FleetSendState sent{t0, fingerprint, t0};
    EXPECT_FALSE(fleet_row_due(sent, fingerprint, day, t0 + std::chrono::hours(23)));
    EXPECT_TRUE(fleet_row_due(sent, fingerprint, day, t0 + day));
    // The time and the 24-hour tallies are not part of the summary; a verdict count is.
    FleetStatus later = status;
    later.cycle_time = t0 + std::chrono::hours(1);
    later.heal_actions_24h = 9;
    EXPECT_EQ(later.fingerprint(), fingerprint);
    later.verdict_counts[1] = 3;
    EXPECT_TRUE(fleet_row_due(sent, later.fingerprint(), day, t0 + std::chrono::hours(1)));
    FleetStatus breaker = status;
    breaker.breaker = "27 of 36 packages stale at once";
    EXPECT_NE(breaker.fingerprint(), fingerprint);
}

}  // namespace
}  // namespace psguard
