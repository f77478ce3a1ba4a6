#include "evidence/diagnosis.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace psguard {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const std::vector<std::filesystem::path> kRoots = {
    std::filesystem::path("D:/Program Files/Altiris/Altiris Agent/Package Delivery"),
    std::filesystem::path(
        "D:/Program Files/Altiris/Altiris Agent/Package Server Agent/PackageStatus")};

Evidence item(EvidenceKind kind, std::string source, std::string message,
              std::optional<std::string> path = std::nullopt) {
    Evidence e;
    e.kind = kind;
    e.source = std::move(source);
    e.message = std::move(message);
    e.path = std::move(path);
    return e;
}

// The KB's two lines, as evidence_from_event makes them.
Evidence kb_create_directory() {
    return item(EvidenceKind::access_denied, "CreateDirectoryPath",
                "Cannot create directory: 0x80070005 [Access is denied] d:", "d:");
}
Evidence kb_capture() {
    return item(EvidenceKind::access_denied, "EventTransport",
                "Error while copying event to capture directory: Access is denied (-2147024891)");
}
Evidence denied_in_package(std::string tail = "\\{6C821F5E-1D2A-4C3B-9E8F-0A1B2C3D4E5F}") {
    return item(EvidenceKind::access_denied, "SWDPackage", "Cannot write ...: Access is denied",
                "d:\\PROGRAM FILES\\altiris\\Altiris Agent\\Package Delivery" + tail);
}
Evidence queue_backlog() {
    return item(EvidenceKind::queue_backlog, "Queue", "60 events waiting");
}

Diagnosis run(std::optional<bool> account, std::optional<bool> acl,
              const std::vector<Evidence>& evidence) {
    return diagnose({account, acl, kRoots, evidence});
}

TEST(PathRelatesToRoot, ComparesAsWindowsDoesOnEveryPlatform) {
    const std::string root = "C:\\Program Files\\Altiris\\Altiris Agent\\Package Delivery";
    EXPECT_TRUE(
        path_relates_to_root("c:/program files/ALTIRIS/altiris agent/package delivery/{x}/"
                             "snapshot.xml",
                             root));
    EXPECT_TRUE(path_relates_to_root(root, root));
    EXPECT_TRUE(path_relates_to_root(root + "\\", root));
    EXPECT_TRUE(
        path_relates_to_root("\\\\?\\C:\\Program Files\\Altiris\\Altiris Agent\\Package "
                             "Delivery\\{x}",
                             root));
    EXPECT_TRUE(
        path_relates_to_root("C:\\Program Files\\Altiris\\x\\..\\Altiris Agent\\.\\Package "
                             "Delivery\\{x}",
                             root));
    // Folders above the root count: the agent creates the path one folder at a time.
    EXPECT_TRUE(path_relates_to_root("c:", root));
    EXPECT_TRUE(path_relates_to_root("C:\\Program Files", root));
    // Siblings, other drives and look-alike names do not.
    EXPECT_FALSE(
        path_relates_to_root("D:\\Program Files\\Altiris\\Altiris Agent\\Package Delivery", root));
    EXPECT_FALSE(
        path_relates_to_root("C:\\Program Files\\Altiris\\Altiris Agent\\Package "
                             "Delivery2\\{x}",
                             root));
    EXPECT_FALSE(path_relates_to_root("C:\\Windows\\Temp", root));
    EXPECT_FALSE(path_relates_to_root("\\", "\\share"));
    EXPECT_FALSE(path_relates_to_root("", root));
    // UNC and POSIX.
    EXPECT_TRUE(path_relates_to_root("\\\\FS01\\Share\\pkg\\a", "\\\\fs01\\share\\PKG"));
    EXPECT_TRUE(path_relates_to_root("\\\\?\\UNC\\fs01\\share\\pkg\\a", "\\\\fs01\\share\\pkg"));
    EXPECT_FALSE(path_relates_to_root("\\fs01\\share\\pkg\\a", "\\\\fs01\\share\\pkg"));
    EXPECT_TRUE(path_relates_to_root("/opt/altiris/notification/nsagent/Package Delivery/{x}",
                                     "/opt/altiris/notification/nsagent/Package Delivery"));
}

TEST(Diagnose, AnAccountThatDoesNotResolveIsTheCredential) {
    const std::vector<Evidence> evidence = {kb_capture(), queue_backlog()};
    const Diagnosis d = run(false, true, evidence);
    EXPECT_EQ(d.cause, Cause::credential_not_applied);
    EXPECT_EQ(d.evidence, std::vector<std::size_t>{0});
    EXPECT_NE(d.summary.find("does not resolve"), std::string::npos);
}

TEST(Diagnose, AFailedAclCheckIsTheAcl) {
    const std::vector<Evidence> evidence = {kb_capture(), denied_in_package()};
    const Diagnosis d = run(true, false, evidence);
    EXPECT_EQ(d.cause, Cause::acl_missing);
    EXPECT_EQ(d.evidence, std::vector<std::size_t>{1});
}

TEST(Diagnose, TheKbLinesPointToTheAclWhenTheCheckDidNotRun) {
    // d: is the drive of the Package Delivery root: the agent could not create the path there.
    const std::vector<Evidence> evidence = {kb_create_directory(), kb_capture()};
    const Diagnosis d = run(std::nullopt, std::nullopt, evidence);
    EXPECT_EQ(d.cause, Cause::acl_missing);
    EXPECT_EQ(d.evidence, std::vector<std::size_t>{0});
}

TEST(Diagnose, DeniedOnPackagePathsDespiteAGoodAclIsTheCredential) {
    const std::vector<Evidence> evidence = {denied_in_package(), kb_capture()};
    const Diagnosis d = run(true, true, evidence);
    EXPECT_EQ(d.cause, Cause::credential_not_applied);
    EXPECT_EQ(d.evidence, (std::vector<std::size_t>{0, 1}));
    EXPECT_NE(d.summary.find("not acting as that account"), std::string::npos);
}

TEST(Diagnose, ReportingErrorsAreTheCredential) {
    for (const Evidence& e :
         {kb_capture(), item(EvidenceKind::unauthorized, "X", "HTTP 401"),
          item(EvidenceKind::trust_failure, "X", "The trust relationship ... failed")}) {
        const std::vector<Evidence> evidence = {
            item(EvidenceKind::download_error, "X", "download failed"), e, queue_backlog()};
        const Diagnosis d = run(true, std::nullopt, evidence);
        EXPECT_EQ(d.cause, Cause::credential_not_applied) << to_string(e.kind);
        EXPECT_EQ(d.evidence, std::vector<std::size_t>{1}) << to_string(e.kind);
    }
}

TEST(Diagnose, AccessDeniedElsewhereIsNoCause) {
    const std::vector<Evidence> evidence = {
        item(EvidenceKind::access_denied, "Inventory", "Access is denied", "C:\\Windows\\Temp\\x")};
    const Diagnosis d = run(true, true, evidence);
    EXPECT_EQ(d.cause, Cause::unknown);
    EXPECT_EQ(d.evidence, std::vector<std::size_t>{0});
}

TEST(Diagnose, AQueueBacklogWithGoodCredentialAndAclIsDelivery) {
    const std::vector<Evidence> evidence = {
        item(EvidenceKind::snapshot_error, "X", "snapshot failed"), queue_backlog()};
    const Diagnosis d = run(true, true, evidence);
    EXPECT_EQ(d.cause, Cause::status_not_delivered);
    EXPECT_EQ(d.evidence, std::vector<std::size_t>{1});
    EXPECT_NE(d.summary.find("check out"), std::string::npos);
    EXPECT_EQ(run(std::nullopt, std::nullopt, evidence).cause, Cause::status_not_delivered);
}

TEST(Diagnose, NothingIsUnknown) {
    const Diagnosis d = run(true, true, {});
    EXPECT_EQ(d.cause, Cause::unknown);
    EXPECT_TRUE(d.evidence.empty());
    const nlohmann::json shown = diagnosis_to_json(d);
    EXPECT_EQ(shown["cause"], "unknown");
    EXPECT_TRUE(shown["evidence"].is_array());
    EXPECT_EQ(shown.size(), 3u);
}

QueueSummary queue_with(std::size_t waiting, std::size_t blocked, std::size_t disabled,
                        std::optional<std::chrono::system_clock::duration> oldest_age,
                        std::chrono::system_clock::time_point now) {
    QueueSummary summary;
    summary.taken = now;
    QueueFolder folder;
    folder.name = "NS01";
    folder.path = "C:/Queue/NS01";
    folder.counts.pse[static_cast<std::size_t>(QueueState::waiting)] = waiting;
    folder.counts.nse[static_cast<std::size_t>(QueueState::blocked)] = blocked;
    folder.counts.nse[static_cast<std::size_t>(QueueState::disabled)] = disabled;
    if (oldest_age) {
        folder.oldest_waiting = now - *oldest_age;
    }
    summary.folders.push_back(folder);
    return summary;
}

std::vector<std::string> kinds(const std::vector<Evidence>& items) {
    std::vector<std::string> out;
    for (const Evidence& e : items) {
        out.push_back(to_string(e.kind));
    }
    return out;
}

TEST(QueueEvidence, BlockedDisabledOldLargeAndGrowing) {
    const auto now = std::chrono::system_clock::now();
    const QueueThresholds limits{minutes(60), 50};
    // Healthy: a few fresh events waiting.
    EXPECT_TRUE(queue_evidence(queue_with(3, 0, 0, minutes(2), now), std::nullopt, limits).empty());
    // Blocked and disabled.
    EXPECT_EQ(kinds(queue_evidence(queue_with(0, 2, 1, std::nullopt, now), std::nullopt, limits)),
              (std::vector<std::string>{"queue_blocked", "queue_disabled"}));
    // Old.
    auto old = queue_evidence(queue_with(3, 0, 0, hours(3), now), std::nullopt, limits);
    ASSERT_EQ(kinds(old), std::vector<std::string>{"queue_backlog"});
    EXPECT_NE(old[0].message.find("3 h 0 min"), std::string::npos) << old[0].message;
    EXPECT_EQ(old[0].where, "C:/Queue/NS01");
    // Large.
    auto large = queue_evidence(queue_with(50, 0, 0, minutes(1), now), std::nullopt, limits);
    ASSERT_EQ(kinds(large), std::vector<std::string>{"queue_backlog"});
    EXPECT_NE(large[0].message.find("at least 50"), std::string::npos);
    // Growing while the oldest stays: not draining.
    const auto before = queue_with(3, 0, 0, minutes(10), now - minutes(5));
    auto growing = queue_evidence(queue_with(5, 0, 0, minutes(15), now), before, limits);
    ASSERT_EQ(kinds(growing), std::vector<std::string>{"queue_backlog"});
    EXPECT_NE(growing[0].message.find("up from 3"), std::string::npos);
    // Growing but the old events left (a newer oldest): draining, fine.
    EXPECT_TRUE(queue_evidence(queue_with(5, 0, 0, minutes(2), now), before, limits).empty());
}

}  // namespace
}  // namespace psguard
