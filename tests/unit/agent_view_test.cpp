#include "reconcile/agent_view.hpp"

#include <gtest/gtest.h>

namespace psguard {
namespace {

constexpr const char* kA = "{6c821f5e-1a2b-4c3d-8e9f-0a1b2c3d4e01}";
constexpr const char* kB = "{6c821f5e-1a2b-4c3d-8e9f-0a1b2c3d4e02}";

AgentPackage agent_package(std::string id, std::string status, std::string name = "P") {
    AgentPackage package;
    package.id = std::move(id);
    package.status = std::move(status);
    package.name = std::move(name);
    package.version = "7";
    return package;
}

LocalPackage local_package(const std::string& id, std::optional<std::string> status) {
    LocalPackage package;
    package.id = id;
    package.delivery_dir = "/pd/" + id;
    package.status_dir = "/ps/" + id;
    if (status) {
        package.package_status = StatusDocument{status, std::string("7")};
    }
    return package;
}

AgentView view_of(std::vector<AgentPackage> packages) {
    return make_agent_view({ComOutcome{}, std::move(packages)});
}

TEST(AgentView, KeysPackagesByTheirNormalisedIdAndSkipsThoseWithout) {
    auto upper = agent_package("{6C821F5E-1A2B-4C3D-8E9F-0A1B2C3D4E01}", "Ready");
    upper.is_custom_location = true;
    const AgentView view = view_of({upper, agent_package("not a guid", "Ready")});
    ASSERT_TRUE(view.read);
    ASSERT_EQ(view.packages.size(), 1u);
    EXPECT_TRUE(view.packages.at(kA).is_custom_location);
    EXPECT_NE(view.note.find("1 of the agent's packages have no GUID"), std::string::npos);
}

TEST(AgentView, AFailedReadIsANoteNotAView) {
    const AgentView view = make_agent_view(
        {ComOutcome{ComFailure::timed_out, 0, "Packages: the Symantec agent did not answer"}, {}});
    EXPECT_FALSE(view.read);
    EXPECT_TRUE(view.packages.empty());
    EXPECT_EQ(view.note, "Packages: the Symantec agent did not answer");
}

TEST(AgentView, ReadyOnOneSideOnlyIsADisagreementNamingBoth) {
    LocalScan scan;
    scan.packages[kA] = local_package(kA, "Ready");
    scan.packages[kB] = local_package(kB, "Downloading");
    const AgentView view =
        view_of({agent_package(kA, "Downloading", "Alpha"), agent_package(kB, "Ready", "Beta")});
    const auto found = cross_check(scan, view);
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(found[0].id, kA);
    EXPECT_EQ(found[0].agent_status, "Downloading");
    EXPECT_EQ(found[0].file_status, "Ready");
    EXPECT_EQ(found[0].name, "Alpha");
    EXPECT_EQ(found[1].agent_status, "Ready");
    EXPECT_EQ(found[1].file_status, "Downloading");
}

TEST(AgentView, AgreementDeletedAndUnknownStatusesAreNotDisagreements) {
    LocalScan scan;
    scan.packages[kA] = local_package(kA, "Codebase Enabled");  // Ready, as the NS spells it
    scan.packages[kB] = local_package(kB, std::nullopt);
    const AgentView agree = view_of({agent_package(kA, "Ready"), agent_package(kB, "Ready")});
    EXPECT_TRUE(cross_check(scan, agree).empty());
    const AgentView deleted = view_of({agent_package(kA, "Deleted")});
    EXPECT_TRUE(cross_check(scan, deleted).empty());
}

TEST(AgentView, UnreadableFilesAreJudgedByTheAgentsView) {
    LocalScan scan;
    scan.packages[kA] = local_package(kA, std::nullopt);
    scan.packages[kA].unreadable_reason = "PackageStatus.xml: malformed XML";
    scan.packages[kB] = local_package(kB, "Ready");
    EXPECT_FALSE(fill_unreadable_from_agent(scan, view_of({agent_package(kB, "Ready")})));
    const auto filled = fill_unreadable_from_agent(scan, view_of({agent_package(kA, "Ready")}));
    ASSERT_TRUE(filled);
    const LocalPackage& a = filled->packages.at(kA);
    EXPECT_FALSE(a.unreadable_reason);
    EXPECT_EQ(a.status(), "Ready");
    EXPECT_EQ(a.version(), "7");
    EXPECT_EQ(filled->packages.at(kB).status(), "Ready");
    EXPECT_TRUE(cross_check(scan, view_of({agent_package(kA, "Downloading")})).empty());
}

TEST(AgentView, ReadyByEverySourceNeedsTheFilesAndTheAgent) {
    const LocalPackage ready = local_package(kA, "Ready");
    EXPECT_TRUE(ready_by_every_source(ready, nullptr));
    EXPECT_FALSE(ready_by_every_source(local_package(kA, "Downloading"), nullptr));
    EXPECT_FALSE(ready_by_every_source(local_package(kA, std::nullopt), nullptr));
    const AgentView updating = view_of({agent_package(kA, "Downloading")});
    EXPECT_FALSE(ready_by_every_source(ready, &updating));
    const AgentView other = view_of({agent_package(kB, "Downloading")});
    EXPECT_TRUE(ready_by_every_source(ready, &other));
}

}  // namespace
}  // namespace psguard
