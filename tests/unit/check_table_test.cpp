// The console table of `psguard check` (to_table): what leads, what is listed, what is folded,
// the 120-column limit and colour.
#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "cycle/check_report.hpp"
#include "cycle/console_text.hpp"

namespace psguard {
namespace {

std::string guid(std::size_t n) {
    char text[40];
    std::snprintf(text, sizeof text, "{6c821f5e-0000-4000-8000-%012zu}", n);
    return text;
}

PackageVerdict package(std::size_t n, std::optional<Verdict> verdict, std::string reason,
                       std::string name = "Package") {
    PackageVerdict p;
    p.id = guid(n);
    p.name = std::move(name);
    p.verdict = verdict;
    p.reason = std::move(reason);
    p.local = LocalView{"Ready", "7"};
    if (verdict && verdict != Verdict::unknown_to_ns) {
        p.ns = NsView{verdict == Verdict::stale_on_ns ? "Invalid" : "Ready", "7", "7"};
    }
    return p;
}

CheckReport usable_report() {
    CheckReport report;
    report.server = "PS01";
    report.ns.url = "https://ns01.example.com";
    report.ns.reachable = true;
    report.ns.usable = true;
    report.ns.rows = 0;
    return report;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t count = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
        ++count;
    }
    return count;
}

TEST(CheckTable, NsDownFoldsTenThousandPackagesIntoOneLine) {
    CheckReport report = usable_report();
    report.ns.usable = false;
    report.ns.reachable = false;
    report.ns.rows.reset();
    report.ns.error = "connect: Connection refused";
    for (std::size_t i = 0; i < 10000; ++i) {
        report.packages.push_back(
            package(i, std::nullopt, "NS state unknown: connect: Connection refused"));
    }
    const std::string table = to_table(report);
    EXPECT_LT(lines_of(table).size(), 10u) << table;
    EXPECT_EQ(count_of(table, "NS state unknown"), 1u) << table;
    EXPECT_NE(table.find("no verdict, 10000 packages: NS state unknown: connect: Connection "
                         "refused (--all lists them)"),
              std::string::npos)
        << table;
    EXPECT_NE(table.find("NS UNUSABLE: connect: Connection refused"), std::string::npos) << table;
    EXPECT_NE(table.find("Summary:   10000 packages: 10000 without a verdict"), std::string::npos)
        << table;

    TableOptions all;
    all.all = true;
    const std::string every = to_table(report, all);
    EXPECT_EQ(count_of(every, guid(0)), 1u);
    EXPECT_EQ(count_of(every, guid(9999)), 1u);
}

TEST(CheckTable, ListsOnlyWhatNeedsAttentionStaleFirst) {
    CheckReport report = usable_report();
    report.packages.push_back(package(1, Verdict::version_mismatch, "holds 5, the NS has 7"));
    for (std::size_t i = 2; i < 50; ++i) {
        report.packages.push_back(package(i, Verdict::healthy, "Ready here and on the NS"));
    }
    report.packages.push_back(package(60, Verdict::stale_on_ns, "Ready here, Invalid on the NS"));
    report.packages.push_back(package(61, Verdict::stale_on_ns, "Ready here, Invalid on the NS"));
    const std::string table = to_table(report);

    EXPECT_EQ(table.find(guid(2)), std::string::npos) << "healthy packages are not listed\n"
                                                      << table;
    EXPECT_NE(table.find("Needs attention: 3 of 51 packages (--all lists every package):"),
              std::string::npos)
        << table;
    EXPECT_NE(table.find("Summary:   51 packages: 2 stale_on_ns, 1 version_mismatch, 48 healthy"),
              std::string::npos)
        << table;
    // A group of two is listed package by package under one reason line.
    const auto stale = table.find("stale_on_ns, 2 packages: Ready here, Invalid on the NS\n");
    const auto mismatch = table.find("version_mismatch, 1 package: holds 5, the NS has 7\n");
    ASSERT_NE(stale, std::string::npos) << table;
    ASSERT_NE(mismatch, std::string::npos) << table;
    EXPECT_LT(stale, mismatch) << "stale packages come first\n" << table;
    EXPECT_LT(stale, table.find("  " + guid(60) + "  Package  here Ready 7, NS Invalid 7"));
    EXPECT_LT(table.find(guid(61)), mismatch);
    EXPECT_EQ(count_of(table, "Ready here, Invalid on the NS"), 1u) << table;

    TableOptions all;
    all.all = true;
    EXPECT_NE(to_table(report, all).find(guid(2)), std::string::npos);
}

TEST(CheckTable, SummaryAndDiagnosisWithItsEvidenceLead) {
    CheckReport report = usable_report();
    report.packages.push_back(package(1, Verdict::stale_on_ns, "Ready here, Invalid on the NS"));
    report.diagnosis = Cause::acl_missing;
    report.diagnosis_summary = "the credential account cannot write to PackageStatus";
    EvidenceCycleResult& evidence = report.evidence.emplace();
    const auto item = [&evidence](EvidenceKind kind, std::string time, std::string source,
                                  std::string message, std::string where) {
        Evidence found;
        found.kind = kind;
        found.time = std::move(time);
        found.source = std::move(source);
        found.message = std::move(message);
        found.where = std::move(where);
        evidence.items.push_back(std::move(found));
    };
    item(EvidenceKind::download_error, "t0", "x", "uncited", "");
    item(EvidenceKind::access_denied, "May 16 11:51:05", "CreateDirectoryPath",
         "Cannot create directory: 0x80070005 [Access is denied]", "agent.log:120");
    evidence.diagnosis.evidence = {1, 7};  // an index out of range is skipped
    const auto lines = lines_of(to_table(report));
    ASSERT_GE(lines.size(), 6u);
    EXPECT_EQ(lines[1].rfind("Summary:", 0), 0u) << lines[1];
    EXPECT_EQ(lines[2],
              "Diagnosis: acl_missing: the credential account cannot write to PackageStatus");
    // 124 characters: wrapped, the rest indented under the evidence.
    EXPECT_EQ(lines[3],
              "           evidence: May 16 11:51:05 CreateDirectoryPath: Cannot create "
              "directory: 0x80070005 [Access is denied]");
    EXPECT_EQ(lines[4], "               (agent.log:120)");
    EXPECT_EQ(to_table(report).find("uncited"), std::string::npos);
}

TEST(CheckTable, EveryLineFitsInOneHundredTwentyColumns) {
    CheckReport report = usable_report();
    const std::string long_path = "D:\\" + std::string(180, 'p') + "\\snapshot.xml";
    report.packages.push_back(
        package(1, Verdict::unreadable, "cannot parse " + long_path + ": line 3: unexpected end",
                "Ein sehr langer Paketname mit Umlauten äöü und noch mehr Text dahinter"));
    report.packages.push_back(package(
        2, Verdict::stale_on_ns,
        "Ready here, Invalid on the NS: the NS holds a stale status for this package; credential "
        "account CORP\\svc-packageserver lacks delete child on D:\\Program Files\\Altiris\\Altiris "
        "Agent\\Package Delivery: heal cannot help until fixed"));
    report.findings.push_back(
        {FindingKind::unexpected_entry, long_path, "not a package folder", false});
    TableOptions all;
    all.all = true;
    for (const auto& options : {TableOptions{}, all}) {
        for (const auto& line : lines_of(to_table(report, options))) {
            EXPECT_LE(display_width(line), 120u) << line;
        }
    }
}

TEST(CheckTable, ColourOnlyWhenAsked) {
    CheckReport report = usable_report();
    report.packages.push_back(package(1, Verdict::stale_on_ns, "Ready here, Invalid on the NS"));
    EXPECT_EQ(to_table(report).find('\x1b'), std::string::npos);
    TableOptions colour;
    colour.colour = true;
    const std::string painted = to_table(report, colour);
    EXPECT_NE(painted.find("\x1b[31mstale_on_ns\x1b[0m, 1 package"), std::string::npos) << painted;
}

TEST(ConsoleText, WrapsOnBlanksWithAHangingIndent) {
    EXPECT_EQ(wrap("aaa bbb ccc", 7, 2), "aaa bbb\n  ccc\n");
    EXPECT_EQ(wrap("", 10, 2), "\n");
    EXPECT_EQ(wrap("abcdefghij", 4, 1), "abcd\n efg\n hij\n");
    EXPECT_EQ(wrap("äöü äöü", 3, 0), "äöü\näöü\n");
}

TEST(ConsoleText, ClipsByCharactersWithAnEllipsis) {
    EXPECT_EQ(clip("abcdef", 6), "abcdef");
    EXPECT_EQ(clip("abcdef", 4), "abc\u2026");
    EXPECT_EQ(clip("äöüß", 3), "äö\u2026");
    EXPECT_EQ(display_width("äöüß"), 4u);
}

// A scan's or the journal's finding keeps its own kind's text in the report.
TEST(FindingKind, SameTextAsTheScanAndTheJournal) {
    for (const ScanFindingKind kind :
         {ScanFindingKind::unexpected_entry, ScanFindingKind::reparse_point,
          ScanFindingKind::followed_link, ScanFindingKind::duplicate_package,
          ScanFindingKind::root_missing, ScanFindingKind::root_unreadable}) {
        EXPECT_STREQ(to_string(finding_kind(kind)), to_string(kind));
    }
    for (const JournalNoticeKind kind :
         {JournalNoticeKind::repaired, JournalNoticeKind::not_written}) {
        EXPECT_STREQ(to_string(finding_kind(kind)), to_string(kind));
    }
}

}  // namespace
}  // namespace psguard
