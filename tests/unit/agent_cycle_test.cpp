// The cycle with the Symantec agent's objects (a scripted fake above the agent_com seam) and an
// NS answer from a fake transport: the agent's view, Procedure 1's policy refresh and the fleet
// status NSE as the cycle uses them, on real files and a real state folder.
#include <gtest/gtest.h>

#include <algorithm>

#include "cycle/check_cycle.hpp"
#include "fake_agent_automation.hpp"
#include "temp_tree.hpp"

namespace psguard {
namespace {

constexpr const char* kStale = "{6c821f5e-1a2b-4c3d-8e9f-0a1b2c3d4e01}";
constexpr const char* kHealthy = "{6c821f5e-1a2b-4c3d-8e9f-0a1b2c3d4e02}";
constexpr const char* kLocalOnly = "{6c821f5e-1a2b-4c3d-8e9f-0a1b2c3d4e03}";

// The NS's DataSet: the first package Invalid, the second Ready.
class FakeNs final : public HttpTransport {
  public:
    TransportOutcome post_form(const std::string&, const std::string&) override {
        std::string body =
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<DataSet "
            "xmlns=\"http://Altiris.ASDK.NS.com\"><xs:schema id=\"NewDataSet\" xmlns=\"\" "
            "xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
            "xmlns:msdata=\"urn:schemas-microsoft-com:xml-msdata\"><xs:element "
            "name=\"NewDataSet\" msdata:IsDataSet=\"true\"><xs:complexType><xs:choice "
            "minOccurs=\"0\" maxOccurs=\"unbounded\"><xs:element name=\"Table\">"
            "<xs:complexType><xs:sequence>";
        for (const char* column :
             {"Package_x0020_Server", "Package_x0020_Name", "Status",
              "Package_x0020_Version_x0020_on_x0020_NS",
              "Version_x0020_Last_x0020_Reported_x0020_by_x0020_PS", "Package_x0020_GUID"}) {
            body += std::string("<xs:element name=\"") + column +
                    "\" type=\"xs:string\" minOccurs=\"0\"/>";
        }
        body +=
            "</xs:sequence></xs:complexType></xs:element></xs:choice></xs:complexType>"
            "</xs:element></xs:schema><diffgr:diffgram "
            "xmlns:diffgr=\"urn:schemas-microsoft-com:xml-diffgram-v1\"><NewDataSet xmlns=\"\">";
        for (const auto& [id, status] : {std::pair{kStale, "Invalid"}, {kHealthy, "Ready"}}) {
            body += std::string("<Table><Package_x0020_Server>PS01</Package_x0020_Server>") +
                    "<Package_x0020_Name>NS name</Package_x0020_Name><Status>" + status +
                    "</Status><Package_x0020_Version_x0020_on_x0020_NS>7</"
                    "Package_x0020_Version_x0020_on_x0020_NS><Version_x0020_Last_x0020_"
                    "Reported_x0020_by_x0020_PS>7</Version_x0020_Last_x0020_Reported_x0020_by_"
                    "x0020_PS><Package_x0020_GUID>" +
                    id + "</Package_x0020_GUID></Table>";
        }
        body += "</NewDataSet></diffgr:diffgram></DataSet>";
        return {HttpResponse{200, "text/xml; charset=utf-8", body}, std::nullopt};
    }
};

AgentPackage agent_package(const std::string& id, const std::string& status,
                           const std::string& name) {
    AgentPackage package;
    package.id = id;
    package.status = status;
    package.name = name;
    package.version = "7";
    return package;
}

class AgentCycleTest : public ::testing::Test {
  protected:
    AgentCycleTest() {
        for (const char* id : {kStale, kHealthy, kLocalOnly}) {
            tree.write(std::filesystem::path("Package Delivery") / id / "snapshot.xml",
                       "<snapshot version=\"7\"/>");
            tree.write(std::filesystem::path("PackageStatus") / id / "PackageStatus.xml",
                       "<PackageStatus status=\"Ready\" version=\"7\"/>");
        }
        config.server_name = "PS01";
        config.paths.package_delivery = tree / "Package Delivery";
        config.paths.package_status = tree / "PackageStatus";
        config.paths.state_dir = tree / "state";
        config.ns.url = "https://ns.example.com";
        config.ns.report_guid = "{a1b2c3d4-0000-4000-8000-000000000001}";
        config.local.agent_view = AgentViewMode::on;
        agent.packages_answer = {ComOutcome{},
                                 {agent_package(kStale, "Ready", "Stale"),
                                  agent_package(kHealthy, "Downloading", "Healthy"),
                                  agent_package(kLocalOnly, "Ready", "Only here")}};
    }

    NsClient ns() { return NsClient(config.ns, "PS01", std::make_unique<FakeNs>()); }

    CheckReport cycle(TimePoint now, bool heal = true) {
        auto state = StateDir::open(config.paths.state_dir);
        EXPECT_TRUE(state) << state.error().message;
        CycleOptions options;
        options.heal = heal;
        options.agent = &agent;
        NsClient client = ns();
        return run_cycle(config, client, **state, options, now);
    }

    const Finding* finding(const CheckReport& report, const std::string& kind) {
        for (const auto& f : report.findings) {
            if (f.kind == kind) {
                return &f;
            }
        }
        return nullptr;
    }

    test::TempTree tree;
    Config config;
    test::FakeAgentAutomation agent;
    TimePoint t0 = parse_utc("2026-11-26T06:00:00Z").value();
};

TEST_F(AgentCycleTest, TheAgentsViewNamesCrossChecksAndIsReported) {
    NsClient client = ns();
    const CheckReport report = run_check_cycle(config, client, &agent);
    ASSERT_TRUE(report.agent_view);
    EXPECT_TRUE(report.agent_view->read);
    EXPECT_EQ(report.agent_view->packages, 3u);
    EXPECT_EQ(report.agent_view->disagreements, 1u);
    const Finding* disagrees = finding(report, "agent_view_disagrees");
    ASSERT_NE(disagrees, nullptr);
    EXPECT_NE(disagrees->detail.find(kHealthy), std::string::npos) << disagrees->detail;
    EXPECT_NE(disagrees->detail.find("\"Downloading\""), std::string::npos);
    EXPECT_NE(disagrees->detail.find("\"Ready\""), std::string::npos);
    EXPECT_TRUE(disagrees->problem);
    // The NS does not list the third package: its name comes from the agent.
    for (const auto& package : report.packages) {
        if (package.id == kLocalOnly) {
            EXPECT_EQ(package.name, "Only here");
            EXPECT_EQ(package.verdict, Verdict::unknown_to_ns);
        }
    }
}

TEST_F(AgentCycleTest, UnreadableFilesAreJudgedByTheAgentAndTheReasonSaysSo) {
    tree.write(std::filesystem::path("PackageStatus") / kStale / "PackageStatus.xml",
               "<PackageStatus status=");
    NsClient client = ns();
    const CheckReport report = run_check_cycle(config, client, &agent);
    bool seen = false;
    for (const auto& package : report.packages) {
        if (package.id == kStale) {
            seen = true;
            EXPECT_EQ(package.verdict, Verdict::stale_on_ns) << package.reason;
            EXPECT_NE(package.reason.find("the agent's own view was used"), std::string::npos);
        }
    }
    EXPECT_TRUE(seen);
    EXPECT_EQ(report.agent_view->used_for_unreadable, 1u);
}

TEST_F(AgentCycleTest, AFailedReadDegradesToTheFilesWithANote) {
    agent.packages_answer = {test::not_registered(), {}};
    NsClient client = ns();
    CheckReport report = run_check_cycle(config, client, &agent);
    ASSERT_TRUE(report.agent_view);
    EXPECT_FALSE(report.agent_view->read);
    EXPECT_NE(report.agent_view->note.find("not registered"), std::string::npos);
    EXPECT_NE(finding(report, "agent_view_unavailable"), nullptr);  // "on": said as a finding
    EXPECT_EQ(report.packages.size(), 3u);
    // Automatic: where the class is simply not registered, a note only.
    config.local.agent_view = AgentViewMode::automatic;
    NsClient again = ns();
    report = run_check_cycle(config, again, &agent);
    EXPECT_EQ(finding(report, "agent_view_unavailable"), nullptr);
    EXPECT_FALSE(report.agent_view->note.empty());
    // Off: not asked at all.
    config.local.agent_view = AgentViewMode::off;
    agent.calls.clear();
    NsClient off = ns();
    report = run_check_cycle(config, off, &agent);
    EXPECT_TRUE(agent.calls.empty());
    EXPECT_FALSE(report.agent_view);
}

TEST_F(AgentCycleTest, ACredentialNotAppliedAsksTheAgentForItsPoliciesOncePerInterval) {
    config.credential_account = "psguard-no-such-account-7f3a";  // does not resolve
    config.heal.policy_refresh = true;
    config.heal.confirm_cycles = 1;
    CheckReport report = cycle(t0);
    EXPECT_EQ(report.diagnosis, Cause::credential_not_applied);
    ASSERT_TRUE(report.heal && report.heal->policy_refresh);
    EXPECT_EQ(report.heal->policy_refresh->result, "requested");
    report = cycle(t0 + std::chrono::minutes(15));
    ASSERT_TRUE(report.heal->policy_refresh);
    EXPECT_EQ(report.heal->policy_refresh->result, "waiting");
    EXPECT_EQ(std::count(agent.calls.begin(), agent.calls.end(), "refresh_policies"), 1);
    // Not healing (the agent loop with heal off): not asked.
    config.heal.policy_refresh_interval = std::chrono::hours(1);
    report = cycle(t0 + std::chrono::hours(2), /*heal=*/false);
    EXPECT_FALSE(report.heal->policy_refresh);
    EXPECT_EQ(std::count(agent.calls.begin(), agent.calls.end(), "refresh_policies"), 1);
}

TEST_F(AgentCycleTest, TheFleetRowGoesOutWhenDueAndWhenTheSummaryChanges) {
    config.smp_report.enabled = true;
    config.smp_report.data_class = "{9d1d7a66-2b0f-4c1e-8a77-5c0b3d2e1f10}";
    CheckReport report = cycle(t0, false);
    ASSERT_TRUE(report.smp_report);
    EXPECT_EQ(report.smp_report->result, "sent");
    ASSERT_EQ(agent.events.size(), 1u);
    const auto& row = agent.events[0].rows.at(0);
    EXPECT_EQ(row[1], "2026-11-26T06:00:00Z");
    EXPECT_EQ(row[2], "findings");
    EXPECT_EQ(row[3], "1");    // healthy
    EXPECT_EQ(row[4], "1");    // stale_on_ns
    EXPECT_EQ(row[9], "1");    // unknown_to_ns
    EXPECT_EQ(row[15], "-1");  // no credential account: not checked

    report = cycle(t0 + std::chrono::minutes(15), false);
    EXPECT_EQ(report.smp_report->result, "not_due");
    EXPECT_EQ(agent.events.size(), 1u);

    std::filesystem::remove_all(tree / "Package Delivery" / kLocalOnly);
    std::filesystem::remove_all(tree / "PackageStatus" / kLocalOnly);
    report = cycle(t0 + std::chrono::minutes(30), false);
    EXPECT_EQ(report.smp_report->result, "sent");
    ASSERT_EQ(agent.events.size(), 2u);
    EXPECT_EQ(agent.events[1].rows.at(0)[9], "0");

    agent.event_answer = test::not_registered();
    report = cycle(t0 + std::chrono::hours(25), false);
    EXPECT_EQ(report.smp_report->result, "failed");
    EXPECT_EQ(report.smp_report->hresult, static_cast<std::int32_t>(0x80040154));
}

}  // namespace
}  // namespace psguard
