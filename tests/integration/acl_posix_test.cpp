// The ACL check and repair on real folders with real POSIX ACLs (set through libacl) for real
// accounts (nobody, daemon; groups daemon and nogroup). Every verdict is also checked against
// the kernel itself: a child process switches to the account and tries to list the folder,
// enter it, and create and delete an entry in it.
// Needs root (to set ACLs on folders and to switch accounts): skipped otherwise.
#include <acl/libacl.h>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/acl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "acl/acl_inspector.hpp"
#include "acl/acl_repair.hpp"
#include "acl/libacl_posix.hpp"
#include "acl/security_reader.hpp"
#include "support/temp_dir.hpp"

namespace psguard::test {
namespace {

namespace fs = std::filesystem;
using acl::PosixPerms;
namespace perm = acl::posix_perm;

#define PSGUARD_REQUIRE_ROOT()                                                               \
    do {                                                                                     \
        if (::geteuid() != 0) {                                                              \
            GTEST_SKIP() << "needs root: setting ACLs on folders owned by others and "       \
                            "switching to the nobody/daemon accounts to check the kernel's " \
                            "verdict (CI runs these as root)";                               \
        }                                                                                    \
    } while (false)

struct Account {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;
};

std::optional<Account> find_account(const char* name) {
    const passwd* entry = ::getpwnam(name);
    if (entry == nullptr) {
        return std::nullopt;
    }
    Account account{entry->pw_name, entry->pw_uid, entry->pw_gid, {}};
    int count = 64;
    account.groups.resize(static_cast<std::size_t>(count));
    if (::getgrouplist(name, account.gid, account.groups.data(), &count) < 0) {
        return std::nullopt;
    }
    account.groups.resize(static_cast<std::size_t>(count));
    return account;
}

gid_t group_id(const char* name) {
    const group* entry = ::getgrnam(name);
    return entry != nullptr ? entry->gr_gid : static_cast<gid_t>(-1);
}

// What the kernel lets `account` do with `folder`: r = list it, x = enter it, w = create and
// delete an entry in it (which needs w and x). From a child that has become the account.
PosixPerms kernel_perms(const fs::path& folder, const Account& account) {
    const std::string dir = folder.string();
    const std::string probe = (folder / "kernel-probe").string();
    const pid_t child = ::fork();
    if (child == 0) {
        if (::setgroups(account.groups.size(), account.groups.data()) != 0 ||
            ::setgid(account.gid) != 0 || ::setuid(account.uid) != 0) {
            ::_exit(100);
        }
        int bits = 0;
        if (DIR* listing = ::opendir(dir.c_str()); listing != nullptr) {
            ::closedir(listing);
            bits |= perm::read;
        }
        if (::chdir(dir.c_str()) == 0) {
            bits |= perm::execute;
        }
        const int fd = ::open(probe.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0600);
        if (fd >= 0) {
            ::close(fd);
            if (::unlink(probe.c_str()) == 0) {
                bits |= perm::write;
            }
        }
        ::_exit(bits);
    }
    int status = 0;
    if (child < 0 || ::waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
        WEXITSTATUS(status) > 7) {
        ADD_FAILURE() << "the probe as " << account.name << " failed to run";
        return 0;
    }
    return static_cast<PosixPerms>(WEXITSTATUS(status));
}

// The evaluator's answer in the kernel's terms: write is usable only with execute.
PosixPerms usable(const std::vector<std::string>& granted) {
    PosixPerms bits = 0;
    for (const auto& name : granted) {
        bits |= name == "read" ? perm::read : name == "write" ? perm::write : perm::execute;
    }
    if ((bits & perm::execute) == 0) {
        bits = static_cast<PosixPerms>(bits & ~perm::write);
    }
    return bits;
}

void set_acl(const fs::path& path, const std::string& text, acl_type_t type = ACL_TYPE_ACCESS) {
    acl::AclHandle handle(acl_from_text(text.c_str()));
    ASSERT_TRUE(handle) << "bad ACL text " << text;
    ASSERT_EQ(acl_set_file(path.c_str(), type, handle.get()), 0)
        << text << ": " << std::strerror(errno);
}

std::string acl_text(const fs::path& path, acl_type_t type) {
    acl::AclHandle handle(acl_get_file(path.c_str(), type));
    if (!handle || acl_entries(handle.get()) <= 0) {
        return "";
    }
    acl::AclOwned<char*> text(acl_to_any_text(handle.get(), nullptr, ',', 0));
    return text ? std::string(text.get()) : std::string();
}

class AclPosix : public ::testing::Test {
  protected:
    void SetUp() override {
        PSGUARD_REQUIRE_ROOT();
        auto found_nobody = find_account("nobody");
        auto found_daemon = find_account("daemon");
        if (!found_nobody || !found_daemon) {
            GTEST_SKIP() << "the accounts nobody and daemon must exist";
        }
        nobody_ = *found_nobody;
        daemon_ = *found_daemon;
        // The folders must be reachable by the accounts for the kernel probe.
        fs::permissions(temp_.path(), fs::perms(0755));
    }

    fs::path folder(const std::string& name, const std::string& access_acl) {
        const fs::path path = temp_ / name;
        fs::create_directory(path);
        fs::permissions(path, fs::perms(0755));
        set_acl(path, access_acl);
        return path;
    }

    AclResult inspect_one(const fs::path& path, const std::string& account) {
        const AclReport report = inspect_acls(account, {path}, {}, AclConfig{});
        EXPECT_TRUE(report.account_resolved) << report.note;
        EXPECT_EQ(report.results.size(), 1u);
        return report.results.empty() ? AclResult{} : report.results[0];
    }

    TempDir temp_{"psguard-acl"};
    Account nobody_;
    Account daemon_;
};

struct Scenario {
    const char* name;
    std::string acl;  // access ACL in text form; names are resolved by libacl
    const char* account;
    std::vector<std::string> granted;
    std::vector<std::string> missing;
    std::optional<std::size_t> denied_index;
    std::string denied_trustee;
};

const std::vector<std::string> kRWX{"read", "write", "execute / traverse"};
const std::vector<std::string> kRX{"read", "execute / traverse"};

TEST_F(AclPosix, VerdictsMatchTheKernel) {
    const std::string nobody_entry = "user nobody (uid " + std::to_string(nobody_.uid) + ")";
    const std::string daemon_group =
        "group daemon (gid " + std::to_string(group_id("daemon")) + ")";
    // One scenario per row is easier to check than clang-format's layout.
    // clang-format off
    const Scenario scenarios[] = {
        // name, access ACL, account, granted, missing, denied_by index, denied_by trustee
        {"mode-bits-only", "u::rwx,g::r-x,o::r-x", "nobody", kRX, {"write"}, 2, "other"},
        {"named-user", "u::rwx,u:nobody:rwx,g::r-x,m::rwx,o::r-x", "nobody", kRWX, {}, std::nullopt, ""},
        {"named-user-masked", "u::rwx,u:nobody:rwx,g::r-x,m::r-x,o::r-x", "nobody", kRX, {"write"}, 3, "mask (r-x)"},
        {"named-user-lacks-write", "u::rwx,u:nobody:r-x,g::r-x,m::rwx,o::rwx", "nobody", kRX, {"write"}, 1, nobody_entry},
        {"named-group-masked", "u::rwx,g::r-x,g:daemon:rwx,m::r-x,o::rwx", "daemon", kRX, {"write"}, 3, "mask (r-x)"},
        {"named-group", "u::rwx,g::r-x,g:daemon:rwx,m::rwx,o::---", "daemon", kRWX, {}, std::nullopt, ""},
        {"named-group-nogroup", "u::rwx,g::---,g:nogroup:rwx,m::rwx,o::---", "nobody", kRWX, {}, std::nullopt, ""},
        {"other-with-entries-for-others", "u::rwx,u:daemon:rwx,g::rwx,m::rwx,o::--x", "nobody",
         {"execute / traverse"}, {"read", "write"}, 4, "other"},
        {"matching-group-hides-other", "u::rwx,g::r-x,g:daemon:---,m::rwx,o::rwx", "daemon", {}, kRWX, 2, daemon_group},
        {"write-without-execute", "u::rwx,u:nobody:rw-,g::r-x,m::rwx,o::r-x", "nobody",
         {"read", "write"}, {"execute / traverse"}, 1, nobody_entry},
    };
    // clang-format on
    for (const auto& s : scenarios) {
        SCOPED_TRACE(s.name);
        const fs::path path = folder(s.name, s.acl);
        const AclResult result = inspect_one(path, s.account);
        EXPECT_TRUE(result.error.empty()) << result.error;
        EXPECT_EQ(result.required, kRWX);
        EXPECT_EQ(result.granted, s.granted);
        EXPECT_EQ(result.missing, s.missing);
        EXPECT_EQ(result.ok, s.missing.empty());
        ASSERT_EQ(result.denied_by.has_value(), s.denied_index.has_value())
            << to_json(result).dump();
        if (s.denied_index) {
            EXPECT_EQ(result.denied_by->index, *s.denied_index);
            EXPECT_EQ(result.denied_by->trustee, s.denied_trustee);
            EXPECT_FALSE(result.denied_by->inherited);
        }
        const Account& who = std::string(s.account) == "nobody" ? nobody_ : daemon_;
        EXPECT_EQ(acl::posix_perm_text(kernel_perms(path, who)),
                  acl::posix_perm_text(usable(result.granted)))
            << "the kernel disagrees with the evaluator";
    }
}

TEST_F(AclPosix, OwnerEntryDecides) {
    const fs::path path = folder("owned", "u::r-x,g::rwx,o::rwx");
    ASSERT_EQ(::chown(path.c_str(), nobody_.uid, static_cast<gid_t>(-1)), 0);
    const AclResult result = inspect_one(path, "nobody");
    EXPECT_EQ(result.granted, kRX);
    EXPECT_EQ(result.missing, std::vector<std::string>{"write"});
    ASSERT_TRUE(result.denied_by);
    EXPECT_EQ(result.denied_by->index, 0u);
    EXPECT_EQ(result.denied_by->trustee, "owner nobody (uid " + std::to_string(nobody_.uid) + ")");
    EXPECT_EQ(kernel_perms(path, nobody_), perm::read | perm::execute);
}

TEST_F(AclPosix, RootsAndPackageFoldersInOneReport) {
    const fs::path delivery =
        folder("Package Delivery", "u::rwx,u:nobody:rwx,g::r-x,m::rwx,o::r-x");
    const fs::path status = folder("PackageStatus", "u::rwx,g::r-x,o::r-x");
    fs::create_directory(delivery / "{6d417916-1234-4abc-9def-0123456789ab}");
    const fs::path package = delivery / "{6d417916-1234-4abc-9def-0123456789ab}";
    set_acl(package, "u::rwx,u:nobody:r-x,g::r-x,m::r-x,o::r-x");
    const AclReport report = inspect_acls("nobody", {delivery, status}, {package}, AclConfig{});
    EXPECT_TRUE(report.configured);
    EXPECT_TRUE(report.account_resolved);
    EXPECT_EQ(report.resolved, "uid " + std::to_string(nobody_.uid));
    EXPECT_EQ(report.groups_source, "getgrouplist");
    EXPECT_FALSE(report.partial);
    ASSERT_EQ(report.results.size(), 3u);
    EXPECT_TRUE(report.results[0].ok);
    EXPECT_FALSE(report.results[1].ok);
    EXPECT_FALSE(report.results[2].ok);
    EXPECT_FALSE(report.ok());
    const auto json = to_json(report);
    EXPECT_EQ(json["results"][1]["path"], status.string());
    EXPECT_EQ(json["results"][1]["missing"], nlohmann::json({"write"}));
    EXPECT_EQ(json["results"][1]["denied_by"]["trustee"], "other");
    EXPECT_EQ(json["results"][2]["denied_by"]["index"], 1);
    EXPECT_EQ(json["ok"], false);
}

TEST_F(AclPosix, LinksAreNotFollowed) {
    const fs::path target = folder("target", "u::rwx,g::rwx,o::rwx");
    fs::create_directory_symlink(target, temp_ / "link");
    auto security = read_path_security(temp_ / "link");
    ASSERT_FALSE(security.ok());
    EXPECT_NE(security.error().message.find("symlink"), std::string::npos);
    const AclResult result = inspect_one(temp_ / "link", "nobody");
    // A link is a fact about that entry (named in not_checked), not a missing right.
    EXPECT_FALSE(result.ok);
    EXPECT_FALSE(result.problem());
    EXPECT_TRUE(result.error.empty());
    EXPECT_NE(result.not_checked.find("link"), std::string::npos);
    EXPECT_FALSE(grant_modify(temp_ / "link", "nobody").ok());
    EXPECT_FALSE(snapshot_descriptor(temp_ / "link").ok());
    EXPECT_EQ(acl_text(target, ACL_TYPE_ACCESS), "user::rwx,group::rwx,other::rwx");
}

TEST_F(AclPosix, UnknownAccountIsTheFinding) {
    const fs::path path = folder("any", "u::rwx,g::r-x,o::r-x");
    const AclReport report = inspect_acls("psguard-no-such-user-7f3a", {path}, {}, AclConfig{});
    EXPECT_TRUE(report.configured);
    EXPECT_FALSE(report.account_resolved);
    EXPECT_TRUE(report.results.empty());
    EXPECT_NE(report.note.find("does not exist"), std::string::npos) << report.note;
}

TEST_F(AclPosix, RepairGrantsAndRestorePutsItBack) {
    const fs::path root = folder("Package Delivery", "u::rwx,g::r-x,o::r-x");
    ASSERT_FALSE(inspect_one(root, "nobody").ok);
    auto snapshot = snapshot_descriptor(root);
    ASSERT_TRUE(snapshot.ok()) << snapshot.error().message;
    EXPECT_EQ(snapshot.value(), "access=user::rwx,group::r-x,other::r-x\ndefault=\n");

    const Status granted = grant_modify(root, "nobody");
    ASSERT_TRUE(granted.ok()) << granted.error().message;
    EXPECT_EQ(acl_text(root, ACL_TYPE_ACCESS),
              "user::rwx,user:nobody:rwx,group::r-x,mask::rwx,other::r-x");
    EXPECT_EQ(acl_text(root, ACL_TYPE_DEFAULT),
              "user::rwx,user:nobody:rwx,group::r-x,mask::rwx,other::r-x");
    EXPECT_TRUE(inspect_one(root, "nobody").ok);
    EXPECT_EQ(kernel_perms(root, nobody_), perm::all);
    // New folders (the agent's package folders) inherit the entry.
    fs::create_directory(root / "{22222222-3333-4444-8555-666666666666}");
    const AclResult child = inspect_one(root / "{22222222-3333-4444-8555-666666666666}", "nobody");
    EXPECT_TRUE(child.ok) << to_json(child).dump();
    fs::remove(root / "{22222222-3333-4444-8555-666666666666}");

    // Twice changes nothing more.
    ASSERT_TRUE(grant_modify(root, "nobody").ok());
    EXPECT_EQ(acl_text(root, ACL_TYPE_ACCESS),
              "user::rwx,user:nobody:rwx,group::r-x,mask::rwx,other::r-x");

    const Status restored = restore_descriptor(root, snapshot.value());
    ASSERT_TRUE(restored.ok()) << restored.error().message;
    EXPECT_EQ(acl_text(root, ACL_TYPE_ACCESS), "user::rwx,group::r-x,other::r-x");
    EXPECT_EQ(acl_text(root, ACL_TYPE_DEFAULT), "");
    EXPECT_EQ(snapshot_descriptor(root).value(), snapshot.value());
    EXPECT_FALSE(inspect_one(root, "nobody").ok);
    EXPECT_EQ(kernel_perms(root, nobody_), perm::read | perm::execute);
}

TEST_F(AclPosix, RepairKeepsOtherEntriesAndAnExistingDefaultAcl) {
    const fs::path root = folder("PackageStatus", "u::rwx,g::r-x,g:daemon:r-x,m::r-x,o::---");
    set_acl(root, "u::rwx,g::r-x,g:daemon:r-x,m::r-x,o::---", ACL_TYPE_DEFAULT);
    auto snapshot = snapshot_descriptor(root);
    ASSERT_TRUE(snapshot.ok());
    ASSERT_TRUE(grant_modify(root, "nobody").ok());
    EXPECT_EQ(acl_text(root, ACL_TYPE_ACCESS),
              "user::rwx,user:nobody:rwx,group::r-x,group:daemon:r-x,mask::rwx,other::---");
    EXPECT_EQ(acl_text(root, ACL_TYPE_DEFAULT),
              "user::rwx,user:nobody:rwx,group::r-x,group:daemon:r-x,mask::rwx,other::---");
    ASSERT_TRUE(restore_descriptor(root, snapshot.value()).ok());
    EXPECT_EQ(snapshot_descriptor(root).value(), snapshot.value());
    EXPECT_EQ(acl_text(root, ACL_TYPE_DEFAULT),
              "user::rwx,group::r-x,group:daemon:r-x,mask::r-x,other::---");
}

TEST_F(AclPosix, RepairWidensTheMaskForOtherNamedEntries) {
    // Documented side effect: the mask caps every group-class entry, so raising it for the new
    // entry also lets through what it used to cap.
    const fs::path root = folder("capped", "u::rwx,g::r-x,g:daemon:rwx,m::r-x,o::---");
    ASSERT_FALSE(inspect_one(root, "daemon").ok);
    ASSERT_TRUE(grant_modify(root, "nobody").ok());
    EXPECT_TRUE(inspect_one(root, "daemon").ok);
}

TEST_F(AclPosix, RepairFailuresChangeNothing) {
    const fs::path root = folder("unchanged", "u::rwx,g::r-x,o::r-x");
    const Status unknown = grant_modify(root, "psguard-no-such-user-7f3a");
    ASSERT_FALSE(unknown.ok());
    EXPECT_NE(unknown.error().message.find("does not exist"), std::string::npos);
    EXPECT_FALSE(restore_descriptor(root, "garbage").ok());
    EXPECT_FALSE(restore_descriptor(root, "access=user::rwz\ndefault=\n").ok());
    EXPECT_FALSE(grant_modify(temp_ / "missing", "nobody").ok());
    EXPECT_EQ(acl_text(root, ACL_TYPE_ACCESS), "user::rwx,group::r-x,other::r-x");
    EXPECT_EQ(acl_text(root, ACL_TYPE_DEFAULT), "");
}

}  // namespace
}  // namespace psguard::test
