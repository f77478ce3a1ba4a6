#include "evidence/evidence_report.hpp"
#include "evidence/evidence_cycle.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>

#include "evidence_test_support.hpp"
#include "temp_tree.hpp"

namespace psguard {
namespace {

namespace fs = std::filesystem;
using std::chrono::hours;
using test::TempTree;

Evidence make(EvidenceKind kind, std::string message,
              std::chrono::system_clock::time_point observed = {}) {
    Evidence e;
    e.kind = kind;
    e.time = "May 16 11:51:05";
    e.source = "S";
    e.message = std::move(message);
    e.where = "agent.log:0";
    e.observed = observed;
    return e;
}

TEST(EvidenceReport, KeepsTheNewestPerKindAndCountsAll) {
    EvidenceReport report(3);
    for (int i = 0; i < 10; ++i) {
        report.add(make(EvidenceKind::access_denied, "denied " + std::to_string(i)));
        if (i % 5 == 0) {
            report.add(make(EvidenceKind::trust_failure, "trust " + std::to_string(i)));
        }
    }
    const auto items = report.items();
    ASSERT_EQ(items.size(), 5u);
    // Oldest first across kinds, by discovery.
    EXPECT_EQ(items[0].message, "trust 0");
    EXPECT_EQ(items[1].message, "trust 5");
    EXPECT_EQ(items[2].message, "denied 7");
    EXPECT_EQ(items[4].message, "denied 9");
    EXPECT_EQ(report.totals().at(EvidenceKind::access_denied), 10u);
    EXPECT_EQ(report.totals().at(EvidenceKind::trust_failure), 2u);

    const nlohmann::json json = render_evidence(items, report.totals());
    EXPECT_EQ(json["evidence"].size(), 5u);
    EXPECT_EQ(json["evidence_counts"]["access_denied"]["total"], 10);
    EXPECT_EQ(json["evidence_counts"]["access_denied"]["shown"], 3);
}

TEST(EvidenceReport, ItemsRenderWithExactlyTheContractKeys) {
    Evidence e = make(EvidenceKind::access_denied,
                      "Cannot create directory: 0x80070005 [Access is denied] d:");
    e.path = "d:";
    nlohmann::json json = evidence_to_json(e);
    std::vector<std::string> keys;
    for (const auto& [key, value] : json.items()) {
        keys.push_back(key);
    }
    std::sort(keys.begin(), keys.end());
    EXPECT_EQ(keys,
              (std::vector<std::string>{"kind", "message", "package", "source", "time", "where"}));
    EXPECT_EQ(json["package"], "d:") << "the path when no GUID is named";
    e.package = "{6c821f5e-1d2a-4c3b-9e8f-0a1b2c3d4e5f}";
    EXPECT_EQ(evidence_to_json(e)["package"], "{6c821f5e-1d2a-4c3b-9e8f-0a1b2c3d4e5f}");
    e.package.reset();
    e.path.reset();
    EXPECT_TRUE(evidence_to_json(e)["package"].is_null());
}

TEST(EvidenceReport, LongMessagesAreBoundedOnACharacterBoundary) {
    EvidenceReport report;
    std::string message(kMaxEvidenceMessageBytes - 4, 'x');
    message += "\xE2\x82\xAC\xE2\x82\xAC tail";  // a 3-byte character across the cut
    report.add(make(EvidenceKind::access_denied, message));
    const std::string kept = report.items()[0].message;
    EXPECT_LE(kept.size(), kMaxEvidenceMessageBytes);
    EXPECT_EQ(kept.substr(kept.size() - 3), "...");
    EXPECT_EQ(kept.substr(0, kept.size() - 3), std::string(kMaxEvidenceMessageBytes - 4, 'x'));
}

TEST(EvidenceReport, PruningForgetsOldItemsButNotTheCounts) {
    const auto now = std::chrono::system_clock::now();
    EvidenceReport report;
    report.add(make(EvidenceKind::access_denied, "old", now - hours(30)));
    report.add(make(EvidenceKind::access_denied, "new", now - hours(1)));
    report.prune_observed_before(now - hours(24));
    ASSERT_EQ(report.items().size(), 1u);
    EXPECT_EQ(report.items()[0].message, "new");
    EXPECT_EQ(report.totals().at(EvidenceKind::access_denied), 2u);
}

TEST(EvidenceReport, StateRoundTrip) {
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    EvidenceReport report(5);
    Evidence e = make(EvidenceKind::access_denied, "x", now);
    e.path = "d:";
    e.package = "{6c821f5e-1d2a-4c3b-9e8f-0a1b2c3d4e5f}";
    report.add(e);
    report.add(make(EvidenceKind::unauthorized, "y", now));
    auto restored =
        EvidenceReport::from_state_json(nlohmann::json::parse(report.to_state_json().dump()), 5);
    ASSERT_TRUE(restored.ok()) << restored.error().message;
    EXPECT_EQ(restored->items(), report.items());
    EXPECT_EQ(restored->totals(), report.totals());
    EXPECT_FALSE(EvidenceReport::from_state_json(nlohmann::json::object(), 5).ok());
    // The state keeps kinds as text: what this version does not know is named, not guessed.
    const nlohmann::json saved = report.to_state_json();
    EXPECT_EQ(saved["items"][0]["kind"], "access_denied");
    EXPECT_EQ(saved["totals"], (nlohmann::json{{"access_denied", 1}, {"unauthorized", 1}}));
    nlohmann::json unknown_item = saved;
    unknown_item["items"][1]["kind"] = "gremlins";
    auto refused = EvidenceReport::from_state_json(unknown_item, 5);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().message,
              "evidence state: items[1].kind: unknown evidence kind \"gremlins\"");
    nlohmann::json unknown_total = saved;
    unknown_total["totals"]["gremlins"] = 2;
    refused = EvidenceReport::from_state_json(unknown_total, 5);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().message, "evidence state: totals.gremlins: unknown evidence kind");
}

TEST(EvidenceKind, EveryKindParsesBackFromItsText) {
    for (const EvidenceKind kind : kAllEvidenceKinds) {
        EXPECT_EQ(parse_evidence_kind(to_string(kind)), kind) << to_string(kind);
    }
    EXPECT_EQ(parse_evidence_kind(""), std::nullopt);
    EXPECT_EQ(parse_evidence_kind("Access_Denied"), std::nullopt);
}

TEST(EvidenceFromEvent, CitesWhereAndWhat) {
    LogEvent event;
    event.date = "May 16 11:51:05";
    event.source = "SWD";
    event.message =
        "Cannot create D:\\Package Delivery\\{6C821F5E-1D2A-4C3B-9E8F-0A1B2C3D4E5F}: "
        "0x80070005";
    event.file = fs::path("logs") / "agent.log";
    event.offset = 1234;
    const auto evidence = evidence_from_event(event, {});
    ASSERT_TRUE(evidence);
    EXPECT_EQ(evidence->kind, EvidenceKind::access_denied);
    EXPECT_EQ(evidence->time, "May 16 11:51:05");
    EXPECT_EQ(evidence->source, "SWD");
    EXPECT_EQ(evidence->package, "{6c821f5e-1d2a-4c3b-9e8f-0a1b2c3d4e5f}");
    EXPECT_EQ(evidence->path, "D:\\Package Delivery\\{6C821F5E-1D2A-4C3B-9E8F-0A1B2C3D4E5F}");
    EXPECT_TRUE(evidence->where.ends_with("agent.log:1234")) << evidence->where;
    event.message = "Everything fine";
    EXPECT_FALSE(evidence_from_event(event, {}));
}

std::chrono::system_clock::time_point utc(int y, unsigned m, unsigned d, int h, int min = 0) {
    using namespace std::chrono;
    return time_point_cast<system_clock::duration>(
        sys_days(year_month_day{year(y), month(m), day(d)}) + hours(h) + minutes(min));
}

TEST(EstimateEventTime, TheLatestMatchingMomentNotInTheFuture) {
    EXPECT_EQ(estimate_event_time("May 16 11:51:05", utc(2026, 5, 16, 12)),
              utc(2026, 5, 16, 11, 51) + std::chrono::seconds(5));
    // Across the new year.
    EXPECT_EQ(estimate_event_time("Dec 31 23:00:00", utc(2027, 1, 2, 8)), utc(2026, 12, 31, 23));
    // A time-zone ahead of UTC may put the agent's clock a few hours ahead: still this year.
    EXPECT_EQ(estimate_event_time("May 16 20:00:00", utc(2026, 5, 16, 12)), utc(2026, 5, 16, 20));
    EXPECT_EQ(estimate_event_time("May  6 20:00:00", utc(2026, 5, 16, 12)), utc(2026, 5, 6, 20));
    // Feb 29 belongs to the last leap year.
    EXPECT_EQ(estimate_event_time("Feb 29 10:00:00", utc(2026, 5, 16, 12)), utc(2024, 2, 29, 10));
    for (const char* bad : {"", "May 16", "Mai 16 11:51:05", "May 32 11:51:05", "May 16 25:00:00",
                            "May 16 11-51-05", "2026-05-16T11:51:05Z"}) {
        EXPECT_FALSE(estimate_event_time(bad, utc(2026, 5, 16, 12))) << bad;
    }
}

TEST(EvidenceFromEvent, OldEventsAgeOutByTheirOwnDate) {
    LogEvent event;
    event.date = "May 16 11:51:05";
    event.message = "Access is denied";
    const auto now = utc(2026, 11, 26, 6);
    const auto evidence = evidence_from_event(event, now);
    ASSERT_TRUE(evidence);
    EXPECT_EQ(evidence->observed, utc(2026, 5, 16, 11, 51) + std::chrono::seconds(5));
    EvidenceReport report;
    report.add(*evidence);
    report.prune_observed_before(now - hours(24));
    EXPECT_TRUE(report.items().empty());
    // No usable date: observed when read.
    event.date = "garbled";
    EXPECT_EQ(evidence_from_event(event, now)->observed, now);
}

// The knowledge base's other symptoms, in events spread over several lines: each becomes
// evidence of its own kind; the file-lock line names the package.
TEST(EvidenceCycle, KnowledgeBaseSignaturesFromAMultiLineLog) {
    TempTree tree;
    tree.write("Logs/agent.log", test::evidence_fixture("agent-kb-signatures.log"));
    EvidenceConfig config;
    config.log_dir = tree / "Logs";
    EvidenceCycleInput input;
    input.now = utc(2026, 9, 26, 17);
    EvidenceState state(config);
    const EvidenceCycleResult result = run_evidence_cycle(state, config, input);
    EXPECT_TRUE(result.problems.empty());
    EXPECT_EQ(result.totals,
              (std::map<EvidenceKind, std::uint64_t>{{EvidenceKind::package_server_not_started, 2},
                                                     {EvidenceKind::server_busy, 1},
                                                     {EvidenceKind::version_older, 1},
                                                     {EvidenceKind::file_locked, 1},
                                                     {EvidenceKind::partial_data, 1}}));
    ASSERT_EQ(result.items.size(), 6u);
    EXPECT_EQ(result.items[4].kind, EvidenceKind::file_locked);
    EXPECT_EQ(result.items[4].package, "{6d417916-467c-46a7-a870-6d86d9345b61}");
    EXPECT_EQ(result.diagnosis.cause, Cause::unknown);
}

// The whole pass on a real folder: the KB's log, a queue with a backlog, a restart in between.
TEST(EvidenceCycle, KbLogAndQueueEndToEnd) {
    TempTree tree;
    tree.write("Logs/agent.log", test::kb_log());
    tree.write("Queue/NS01/NSE-FFF-0000006A-00000001.ok", "x");
    tree.write("Queue/NS01/PSE-12C-0000006A-00000002.blocked", "x");
    EvidenceConfig config;
    config.log_dir = tree / "Logs";
    config.queue_dir = tree / "Queue";
    EvidenceCycleInput input;
    input.package_roots = {fs::path("D:/Altiris Agent/Package Delivery")};
    input.now = utc(2026, 5, 16, 12);  // shortly after the KB's events

    EvidenceState state(config);
    const EvidenceCycleResult first = run_evidence_cycle(state, config, input);
    EXPECT_TRUE(first.problems.empty());
    ASSERT_EQ(first.items.size(), 3u);
    EXPECT_EQ(first.items[0].kind, EvidenceKind::access_denied);
    EXPECT_EQ(first.items[1].source, "EventTransport");
    EXPECT_EQ(first.items[2].kind, EvidenceKind::queue_blocked);
    EXPECT_EQ(first.diagnosis.cause, Cause::acl_missing);
    EXPECT_EQ(first.diagnosis.evidence, std::vector<std::size_t>{0});
    ASSERT_TRUE(first.log);
    EXPECT_EQ(first.log->events, 2u);
    ASSERT_TRUE(first.queue);
    EXPECT_EQ(first.queue->count(QueueState::blocked), 1u);

    const nlohmann::json json = first.to_json();
    EXPECT_EQ(json["evidence"].size(), 3u);
    EXPECT_EQ(json["evidence"][0]["package"], "d:");
    EXPECT_EQ(json["diagnosis"]["cause"], "acl_missing");
    EXPECT_EQ(json["event_queue"]["blocked"], 1);
    EXPECT_EQ(json["evidence_counts"]["access_denied"]["total"], 2);

    // Restart: the state comes back from JSON; nothing new in the log, the items stay cited.
    auto restored = EvidenceState::from_json(nlohmann::json::parse(state.to_json().dump()), config);
    ASSERT_TRUE(restored.ok()) << restored.error().message;
    test::append_file(tree / "Logs" / "agent.log",
                      test::agent_event("EventTransport", "PostEvent.aspx returned HTTP 401"));
    input.acl_ok = true;
    const EvidenceCycleResult second = run_evidence_cycle(restored.value(), config, input);
    ASSERT_TRUE(second.log);
    EXPECT_EQ(second.log->events, 1u) << "only the new event is read";
    EXPECT_EQ(second.totals.at(EvidenceKind::access_denied), 2u);
    EXPECT_EQ(second.totals.at(EvidenceKind::unauthorized), 1u);
    // ACL checked fine, yet access denied on the package drive: the credential.
    EXPECT_EQ(second.diagnosis.cause, Cause::credential_not_applied);
}

TEST(EvidenceCycle, UnreadableFoldersAreProblemsNotFailures) {
    TempTree tree;
    EvidenceConfig config;
    config.log_dir = tree / "no-logs";
    config.queue_dir = tree / "no-queue";
    EvidenceState state(config);
    const EvidenceCycleResult result = run_evidence_cycle(state, config, {});
    EXPECT_EQ(result.problems.size(), 2u);
    EXPECT_FALSE(result.log);
    EXPECT_FALSE(result.queue);
    EXPECT_EQ(result.diagnosis.cause, Cause::unknown);
    EXPECT_TRUE(result.to_json()["event_queue"].is_null());
}

TEST(EvidenceConfigDefaults, CandidatesPerPlatform) {
    const fs::path install = "C:/Program Files/Altiris/Altiris Agent";
    AgentFolders agent;
    agent.install_dir = install;
    agent.registry_log_dir = fs::path("D:/AgentLogs");
    agent.program_data = fs::path("C:/ProgramData");
    agent.public_dir = fs::path("C:/Users/Public");
    const auto windows = evidence_dir_candidates(AgentPlatform::windows, agent);
    // The registry's FilePath first, then the known folders, oldest layout first.
    EXPECT_EQ(windows.log_dirs,
              (std::vector<fs::path>{
                  fs::path("D:/AgentLogs"), install / "Logs",
                  fs::path("C:/Users/Public") / "Documents" / "Altiris" / "Altiris Agent" / "Logs",
                  fs::path("C:/ProgramData") / "Symantec" / "Symantec Agent" / "Logs"}));
    EXPECT_EQ(windows.queue_dirs,
              (std::vector<fs::path>{install / "Queue", fs::path("C:/ProgramData") / "Symantec" /
                                                            "Symantec Agent" / "Queue"}));
    // Without the registry's value and without an agent, only the known folders remain.
    AgentFolders bare;
    bare.public_dir = fs::path("C:/Users/Public");
    EXPECT_EQ(evidence_dir_candidates(AgentPlatform::windows, bare).log_dirs.size(), 1u);
    const auto posix = evidence_dir_candidates(AgentPlatform::posix, {});
    ASSERT_FALSE(posix.log_dirs.empty());
    EXPECT_EQ(posix.log_dirs.back(), fs::path("/opt/altiris/notification/nsagent") / "var");
    EXPECT_TRUE(posix.queue_dirs.empty());
}

TEST(EvidenceConfigDefaults, DetectionTakesTheFirstExistingFolder) {
    TempTree tree;
    tree.mkdir("ProgramData/Symantec/Symantec Agent/Logs");
    tree.mkdir("Public/Documents/Altiris/Altiris Agent/Logs");
    tree.mkdir("Agent/Queue");
    AgentFolders agent;
    agent.install_dir = tree / "Agent";
    agent.registry_log_dir = tree / "RegistryLogs";  // named by the registry, but not there
    agent.program_data = tree / "ProgramData";
    agent.public_dir = tree / "Public";
    auto found = detect_evidence_dirs(evidence_dir_candidates(AgentPlatform::windows, agent));
    EXPECT_EQ(found.log_dir, tree / "Public" / "Documents" / "Altiris" / "Altiris Agent" / "Logs");
    EXPECT_EQ(found.queue_dir, tree / "Agent" / "Queue");
    tree.mkdir("RegistryLogs");
    found = detect_evidence_dirs(evidence_dir_candidates(AgentPlatform::windows, agent));
    EXPECT_EQ(found.log_dir, tree / "RegistryLogs");
    EXPECT_FALSE(detect_evidence_dirs({{tree / "none"}, {}}).log_dir);
}

}  // namespace
}  // namespace psguard
