#include "reconcile/agent_view.hpp"

#include <gtest/gtest.h>

namespace psguard {
namespace {

constexpr const char* kViewGuidA = "{6c821f5e-1a2b-4c3d-8e9f-0a1b2c3d4e01}";
constexpr const char* kViewGuidB = "{6c821f5e-1a2b-4c3d-8e9f-0a1b2c3d4e02}";

AgentPackage view_package(std::string id, std::string status, std::string name = "P") {
    AgentPackage package;
    package.id = std::move(id);
    package.status = std::move(status);
    package.name = std::move(name);
    package.version = "7";
    return package;
}

LocalPackage local_package(const std::string& id, std::optional<std::string> status) {
    LocalPackage package;
    package.delivery_folder = PackageFolder::at(std::filesystem::path("/pd/" + id));
    package.status_folder = PackageFolder::at(std::filesystem::path("/ps/" + id));
    if (status) {
        package.package_status = StatusDocument{status, std::string("7")};
    }
    return package;
}

AgentView view_of(std::vector<AgentPackage> packages) {
    return make_agent_view({ComOutcome{}, std::move(packages)});
}

TEST(AgentView, KeysPackagesByTheirNormalisedIdAndSkipsThoseWithout) {
    auto upper = view_package("{6C821F5E-1A2B-4C3D-8E9F-0A1B2C3D4E01}", "Ready");
    upper.is_custom_location = true;
    const AgentView view = view_of({upper, view_package("not a guid", "Ready")});
    ASSERT_TRUE(view.read);
    ASSERT_EQ(view.packages.size(), 1u);
    EXPECT_TRUE(view.packages.at(kViewGuidA).is_custom_location);
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
    scan.packages[kViewGuidA] = local_package(kViewGuidA, "Ready");
    scan.packages[kViewGuidB] = local_package(kViewGuidB, "Downloading");
    const AgentView view = view_of({view_package(kViewGuidA, "Downloading", "Alpha"),
                                    view_package(kViewGuidB, "Ready", "Beta")});
    const auto found = cross_check(scan, view);
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(found[0].id, kViewGuidA);
    EXPECT_EQ(found[0].agent_status, "Downloading");
    EXPECT_EQ(found[0].file_status, "Ready");
    EXPECT_EQ(found[0].name, "Alpha");
    EXPECT_EQ(found[1].agent_status, "Ready");
    EXPECT_EQ(found[1].file_status, "Downloading");
}

TEST(AgentView, AgreementDeletedAndUnknownStatusesAreNotDisagreements) {
    LocalScan scan;
    scan.packages[kViewGuidA] =
        local_package(kViewGuidA, "Codebase Enabled");  // Ready, as the NS spells it
    scan.packages[kViewGuidB] = local_package(kViewGuidB, std::nullopt);
    const AgentView agree =
        view_of({view_package(kViewGuidA, "Ready"), view_package(kViewGuidB, "Ready")});
    EXPECT_TRUE(cross_check(scan, agree).empty());
    const AgentView deleted = view_of({view_package(kViewGuidA, "Deleted")});
    EXPECT_TRUE(cross_check(scan, deleted).empty());
}

TEST(AgentView, UnreadableFilesAreJudgedByTheAgentsView) {
    LocalScan scan;
    scan.packages[kViewGuidA] = local_package(kViewGuidA, std::nullopt);
    scan.packages[kViewGuidA].unreadable_reason = "PackageStatus.xml: malformed XML";
    scan.packages[kViewGuidB] = local_package(kViewGuidB, "Ready");
    EXPECT_FALSE(fill_unreadable_from_agent(scan, view_of({view_package(kViewGuidB, "Ready")})));
    const auto filled =
        fill_unreadable_from_agent(scan, view_of({view_package(kViewGuidA, "Ready")}));
    ASSERT_TRUE(filled);
    const LocalPackage& a = filled->packages.at(kViewGuidA);
    EXPECT_FALSE(a.unreadable_reason);
    EXPECT_EQ(a.status(), "Ready");
    EXPECT_EQ(a.version(), "7");
    EXPECT_EQ(filled->packages.at(kViewGuidB).status(), "Ready");
    EXPECT_TRUE(cross_check(scan, view_of({view_package(kViewGuidA, "Downloading")})).empty());
}

TEST(AgentView, ReadyByEverySourceNeedsTheFilesAndTheAgent) {
    const LocalPackage ready = local_package(kViewGuidA, "Ready");
    EXPECT_TRUE(ready_by_every_source(kViewGuidA, ready, nullptr));
    EXPECT_FALSE(
        ready_by_every_source(kViewGuidA, local_package(kViewGuidA, "Downloading"), nullptr));
    EXPECT_FALSE(
        ready_by_every_source(kViewGuidA, local_package(kViewGuidA, std::nullopt), nullptr));
    const AgentView updating = view_of({view_package(kViewGuidA, "Downloading")});
    EXPECT_FALSE(ready_by_every_source(kViewGuidA, ready, &updating));
    const AgentView other = view_of({view_package(kViewGuidB, "Downloading")});
    EXPECT_TRUE(ready_by_every_source(kViewGuidA, ready, &other));
}

}  // namespace
}  // namespace psguard
