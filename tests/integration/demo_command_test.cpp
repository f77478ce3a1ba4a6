// `psguard demo`, the README's main command, as a user runs it: the real binary finds the build
// tree's NS emulator and simulator, runs its narrated sandbox and must end healthy, leaving
// nothing behind (or everything, with --keep).
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "support/child_process.hpp"
#include "support/temp_dir.hpp"

namespace psguard::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::size_t entries(const fs::path& folder) {
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(folder)) {
        ++count;
    }
    return count;
}

class DemoCommand : public ::testing::Test {
  protected:
    void SetUp() override {
        // The sandbox goes under TMPDIR; the credential account must be able to pass through.
        fs::permissions(tmp_.path(), fs::perms::owner_all | fs::perms::others_exec,
                        fs::perm_options::replace);
    }

    ChildProcess demo(std::vector<std::string> extra = {}) const {
        std::vector<std::string> argv = {PSGUARD_BINARY_PATH, "demo"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        ChildOptions options;
        options.environment = {{"TMPDIR", tmp_.path().string()}};
        return ChildProcess(argv, options);
    }

    TempDir tmp_{"psguard-demo-test"};
};

TEST_F(DemoCommand, NarratesTheKbFailureToAVerifiedHealAndLeavesNothingBehind) {
    auto process = demo();
    ASSERT_EQ(process.wait(120s), 0) << process.stdout_text() << process.stderr_text();
    const std::string out = process.stdout_text();
    for (const char* expected :
         {"5 stale_on_ns", "Access is denied", "Diagnosis: acl_missing",
          "Heal of the 5 stale packages: blocked", "Healed 5 packages",
          "The 30 healthy packages: not one file changed", "Verdicts: 36 healthy.",
          "Heal actions verified: 5 of 5.", "not Ready, asked of the NS directly): 0 rows.",
          "the endpoint was at http://127.0.0.1:", "Sandbox removed: nothing left behind."}) {
        EXPECT_NE(out.find(expected), std::string::npos) << "missing: " << expected << "\n" << out;
    }
    if (::geteuid() == 0) {
        EXPECT_NE(out.find("psguard (acl.repair) granted nobody modify"), std::string::npos) << out;
    } else {
        EXPECT_NE(out.find("The administrator gives the folders back"), std::string::npos) << out;
    }
    EXPECT_EQ(entries(tmp_.path()), 0u) << "the sandbox was not removed";
}

TEST_F(DemoCommand, KeepLeavesTheSandboxForExploring) {
    auto process = demo({"--keep", "--packages", "12"});
    ASSERT_EQ(process.wait(120s), 0) << process.stdout_text() << process.stderr_text();
    ASSERT_EQ(entries(tmp_.path()), 1u);
    const fs::path sandbox = fs::directory_iterator(tmp_.path())->path();
    EXPECT_NE(process.stdout_text().find("Sandbox kept: " + sandbox.string()), std::string::npos);
    EXPECT_TRUE(fs::exists(sandbox / "psguard.json"));
    EXPECT_TRUE(fs::exists(sandbox / "state" / "journal.jsonl"));
}

}  // namespace
}  // namespace psguard::test
