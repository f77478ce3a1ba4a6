#include "local/tree_scanner.hpp"
#include "core/utf8_path.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "platform/file_links.hpp"
#include "temp_tree.hpp"

namespace psguard {
namespace {

namespace fs = std::filesystem;
using test::TempTree;

constexpr const char* kFolderA = "{6D417916-1234-4ABC-9DEF-0123456789AB}";
constexpr const char* kIdA = "{6d417916-1234-4abc-9def-0123456789ab}";
constexpr const char* kFolderB = "{6c821f5e-0000-4abc-9def-0123456789ab}";
constexpr const char* kIdB = "{6c821f5e-0000-4abc-9def-0123456789ab}";

struct CacheFile {
    std::string name;  // as snapshot.xml lists it
    std::size_t size;
};

std::string snapshot_xml(const std::string& version, const std::vector<CacheFile>& files) {
    std::string xml = "<Snapshot version=\"" + version + "\"><Files>";
    for (const CacheFile& file : files) {
        xml += "<File name=\"" + file.name + "\" size=\"" + std::to_string(file.size) + "\"/>";
    }
    return xml + "</Files></Snapshot>";
}

std::string status_xml(const std::string& status, const std::string& version) {
    return "<PackageStatus><Status>" + status + "</Status><Version>" + version +
           "</Version></PackageStatus>";
}

std::string cache_path(const std::string& snapshot_name) {
    std::string path = snapshot_name;
    std::replace(path.begin(), path.end(), '\\', '/');
    return path;
}

class TreeScanner : public ::testing::Test {
  protected:
    void SetUp() override {
        paths.package_delivery = tree.mkdir("Package Delivery");
        paths.package_status = tree.mkdir("Package Server Agent/PackageStatus");
        paths.state_dir = tree.mkdir("state");
    }

    // A complete package folder: snapshot.xml plus every listed file in cache/ at its size.
    fs::path add_delivery_in(const fs::path& base, const std::string& folder,
                             const std::string& version = "1601867730",
                             const std::vector<CacheFile>& files = {{"setup.exe", 2048}}) {
        const fs::path dir = base / folder;
        fs::create_directories(dir / "cache");
        write(dir / "snapshot.xml", snapshot_xml(version, files));
        for (const CacheFile& file : files) {
            write(dir / "cache" / fs::path(cache_path(file.name)), std::string(file.size, 'x'));
        }
        return dir;
    }
    fs::path add_delivery(const std::string& folder, const std::string& version = "1601867730",
                          const std::vector<CacheFile>& files = {{"setup.exe", 2048}}) {
        return add_delivery_in(paths.package_delivery, folder, version, files);
    }

    fs::path add_status_in(const fs::path& base, const std::string& folder,
                           const std::string& status = "Ready",
                           const std::string& version = "1601867730") {
        const fs::path dir = base / folder;
        fs::create_directories(dir);
        write(dir / "PackageStatus.xml", status_xml(status, version));
        return dir;
    }
    fs::path add_status(const std::string& folder, const std::string& status = "Ready",
                        const std::string& version = "1601867730") {
        return add_status_in(paths.package_status, folder, status, version);
    }

    static void write(const fs::path& path, std::string_view bytes) {
        fs::create_directories(path.parent_path());
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        ASSERT_TRUE(out.good()) << path_to_utf8(path);
    }

    LocalScan scan() const { return scan_local_state(paths, parse); }

    static std::vector<const ScanFinding*> findings_of(const LocalScan& scan,
                                                       ScanFindingKind kind) {
        std::vector<const ScanFinding*> found;
        for (const ScanFinding& finding : scan.findings) {
            if (finding.kind == kind) {
                found.push_back(&finding);
            }
        }
        return found;
    }

    static std::string dump(const LocalScan& scan) {
        std::string out;
        for (const ScanFinding& finding : scan.findings) {
            out += std::string(to_string(finding.kind)) + " " + path_to_utf8(finding.path) + ": " +
                   finding.detail + "\n";
        }
        for (const auto& [id, pkg] : scan.packages) {
            out += id + " unreadable=" + pkg.unreadable_reason.value_or("-") +
                   " incomplete=" + pkg.incomplete_reason.value_or("-") + "\n";
        }
        return out;
    }

    static bool contains(const std::optional<std::string>& text, std::string_view part) {
        return text && text->find(part) != std::string::npos;
    }

    TempTree tree;
    PathsConfig paths;
    ParseConfig parse;
};

TEST_F(TreeScanner, HealthyPackage) {
    const fs::path delivery = add_delivery(kFolderA);
    const fs::path status = add_status(kFolderA);
    const LocalScan result = scan();
    EXPECT_TRUE(result.findings.empty()) << dump(result);
    ASSERT_EQ(result.packages.size(), 1u);
    const LocalPackage& pkg = result.packages.at(kIdA);
    EXPECT_EQ(result.delivery_dir(kIdA, pkg), delivery);
    EXPECT_EQ(result.status_dir(kIdA, pkg), status);
    ASSERT_TRUE(pkg.snapshot);
    EXPECT_EQ(pkg.snapshot->version, "1601867730");
    ASSERT_TRUE(pkg.package_status);
    EXPECT_EQ(pkg.status(), "Ready");
    EXPECT_EQ(pkg.version(), "1601867730");
    EXPECT_FALSE(pkg.unreadable_reason) << dump(result);
    EXPECT_FALSE(pkg.incomplete_reason) << dump(result);
}

TEST_F(TreeScanner, FolderNamesInEitherCaseAreOnePackage) {
    add_delivery(kFolderA);                                // upper case
    add_status("{6d417916-1234-4abc-9def-0123456789ab}");  // lower case
    add_delivery(kFolderB);
    const LocalScan result = scan();
    EXPECT_TRUE(result.findings.empty()) << dump(result);
    ASSERT_EQ(result.packages.size(), 2u);
    EXPECT_FALSE(result.packages.at(kIdA).delivery_folder.empty());
    EXPECT_FALSE(result.packages.at(kIdA).status_folder.empty());
    EXPECT_FALSE(result.packages.at(kIdB).delivery_folder.empty());
    EXPECT_TRUE(result.packages.at(kIdB).status_folder.empty());
    EXPECT_FALSE(result.packages.at(kIdB).status());
}

TEST_F(TreeScanner, VersionFallsBackToTheSnapshot) {
    add_delivery(kFolderA, "77");
    const fs::path dir = paths.package_status / kFolderA;
    fs::create_directories(dir);
    write(dir / "PackageStatus.xml", "<PackageStatus status=\"Ready\"/>");
    const LocalScan result = scan();
    const LocalPackage& pkg = result.packages.at(kIdA);
    EXPECT_EQ(pkg.status(), "Ready");
    EXPECT_EQ(pkg.version(), "77");
}

TEST_F(TreeScanner, UnexpectedEntriesAreReportedAndLeftAlone) {
    write(paths.package_delivery / "readme.txt", "hello");
    fs::create_directories(paths.package_delivery / "temp");
    write(paths.package_delivery / "temp" / "snapshot.xml", "<broken");
    fs::create_directories(paths.package_delivery / "{not-a-guid}");
    fs::create_directories(paths.package_delivery / "6d417916-1234-4abc-9def-0123456789ab");
    write(paths.package_status / "{6d417916-1234-4abc-9def-0123456789ab}.old", "x");
    const std::string before = test::describe_tree(tree.root());

    const LocalScan result = scan();
    EXPECT_TRUE(result.packages.empty()) << dump(result);
    const auto unexpected = findings_of(result, ScanFindingKind::unexpected_entry);
    ASSERT_EQ(unexpected.size(), 5u) << dump(result);
    EXPECT_EQ(result.findings.size(), 5u) << dump(result);
    for (const ScanFinding* finding : unexpected) {
        EXPECT_NE(finding->detail.find("left alone"), std::string::npos) << finding->detail;
    }
    EXPECT_EQ(test::describe_tree(tree.root()), before);
}

TEST_F(TreeScanner, AFileNamedLikeAPackageIsUnexpected) {
    write(paths.package_delivery / kFolderA, "not a folder");
    const LocalScan result = scan();
    EXPECT_TRUE(result.packages.empty());
    ASSERT_EQ(findings_of(result, ScanFindingKind::unexpected_entry).size(), 1u) << dump(result);
}

TEST_F(TreeScanner, CaseVariantFoldersAreADuplicate) {
    add_delivery(kFolderA);
    const fs::path lower = paths.package_delivery / "{6d417916-1234-4abc-9def-0123456789ab}";
    std::error_code ec;
    const bool created = fs::create_directory(lower, ec);
    std::size_t entries = 0;
    for (const auto& entry : fs::directory_iterator(paths.package_delivery)) {
        (void)entry;
        ++entries;
    }
    if (!created || entries != 2) {
        GTEST_SKIP() << "the file system is case-insensitive: one folder per id only";
    }
    add_status(kFolderA);
    const LocalScan result = scan();
    const auto duplicates = findings_of(result, ScanFindingKind::duplicate_package);
    ASSERT_EQ(duplicates.size(), 1u) << dump(result);
    EXPECT_NE(duplicates[0]->detail.find("two folders for one package: "), std::string::npos);
    const LocalPackage& pkg = result.packages.at(kIdA);
    EXPECT_TRUE(contains(pkg.unreadable_reason, "two folders for one package: ")) << dump(result);
    EXPECT_FALSE(pkg.snapshot);
    EXPECT_FALSE(pkg.delivery_folder.empty());
    EXPECT_TRUE(pkg.package_status);  // the other side is still read
}

TEST_F(TreeScanner, FileNamesAreMatchedInAnyCase) {
    const fs::path dir = paths.package_delivery / kFolderA;
    fs::create_directories(dir / "Cache");
    write(dir / "SNAPSHOT.XML", snapshot_xml("5", {{"Setup.exe", 3}}));
    write(dir / "Cache" / "Setup.exe", "abc");
    const fs::path status = paths.package_status / kFolderA;
    fs::create_directories(status);
    write(status / "packagestatus.XML", status_xml("Ready", "5"));
    const LocalScan result = scan();
    const LocalPackage& pkg = result.packages.at(kIdA);
    EXPECT_TRUE(pkg.snapshot) << dump(result);
    EXPECT_EQ(pkg.status(), "Ready") << dump(result);
    EXPECT_FALSE(pkg.unreadable_reason) << dump(result);
    EXPECT_FALSE(pkg.incomplete_reason) << dump(result);
}

TEST_F(TreeScanner, MissingFilesMakeThePackageIncompleteNotUnreadable) {
    fs::create_directories(paths.package_delivery / kFolderA);
    fs::create_directories(paths.package_status / kFolderA);
    const LocalScan result = scan();
    const LocalPackage& pkg = result.packages.at(kIdA);
    EXPECT_FALSE(pkg.unreadable_reason) << dump(result);
    EXPECT_TRUE(
        contains(pkg.incomplete_reason,
                 "snapshot.xml missing in " + path_to_utf8(paths.package_delivery / kFolderA)))
        << dump(result);
    EXPECT_TRUE(contains(pkg.incomplete_reason, "PackageStatus.xml missing in ")) << dump(result);
}

TEST_F(TreeScanner, MalformedSnapshotIsUnreadableNamingTheFile) {
    const fs::path dir = add_delivery(kFolderA);
    write(dir / "snapshot.xml", "<Snapshot version=\"1\"><Files><File name=\"a\" size=\"1\"/>");
    const LocalScan result = scan();
    const LocalPackage& pkg = result.packages.at(kIdA);
    EXPECT_TRUE(contains(pkg.unreadable_reason, path_to_utf8(dir / "snapshot.xml")))
        << dump(result);
    EXPECT_TRUE(contains(pkg.unreadable_reason, "malformed XML at offset")) << dump(result);
    EXPECT_FALSE(pkg.snapshot);
}

TEST_F(TreeScanner, BadSizeInSnapshotIsUnreadable) {
    const fs::path dir = add_delivery(kFolderA);
    write(dir / "snapshot.xml", R"(<Snapshot><File name="setup.exe" size="big"/></Snapshot>)");
    const LocalScan result = scan();
    EXPECT_TRUE(contains(result.packages.at(kIdA).unreadable_reason, "file entry 1 (setup.exe)"))
        << dump(result);
}

TEST_F(TreeScanner, OversizeStatusFileIsUnreadable) {
    add_delivery(kFolderA);
    add_status(kFolderA);
    parse.max_file_bytes = 40;
    const LocalScan result = scan();
    const LocalPackage& pkg = result.packages.at(kIdA);
    EXPECT_TRUE(contains(pkg.unreadable_reason, "PackageStatus.xml: file is ")) << dump(result);
    EXPECT_TRUE(contains(pkg.unreadable_reason, "over the 40-byte cap")) << dump(result);
}

TEST_F(TreeScanner, Utf16StatusFile) {
    add_delivery(kFolderA);
    const fs::path dir = paths.package_status / kFolderA;
    fs::create_directories(dir);
    std::string bytes("\xFF\xFE", 2);
    for (const char c : status_xml("Ready", "9")) {
        bytes += c;
        bytes += '\0';
    }
    write(dir / "PackageStatus.xml", bytes);
    const LocalScan result = scan();
    EXPECT_EQ(result.packages.at(kIdA).status(), "Ready") << dump(result);
    EXPECT_EQ(result.packages.at(kIdA).version(), "9");
}

TEST_F(TreeScanner, CacheSizeMismatch) {
    const fs::path dir = add_delivery(kFolderA);
    write(dir / "cache" / "setup.exe", "0123456789");
    const LocalScan result = scan();
    const LocalPackage& pkg = result.packages.at(kIdA);
    EXPECT_EQ(pkg.incomplete_reason, "cache/setup.exe is 10 bytes, snapshot says 2048")
        << dump(result);
    EXPECT_FALSE(pkg.unreadable_reason);
    EXPECT_TRUE(pkg.snapshot);
}

TEST_F(TreeScanner, MissingCacheFileReportsTheFirstMismatch) {
    const fs::path dir =
        add_delivery(kFolderA, "1", {{"a.txt", 1}, {"setup.exe", 2}, {"z.txt", 3}});
    fs::remove(dir / "cache" / "setup.exe");
    fs::remove(dir / "cache" / "z.txt");
    const LocalScan result = scan();
    EXPECT_EQ(result.packages.at(kIdA).incomplete_reason, "cache/setup.exe missing")
        << dump(result);
}

TEST_F(TreeScanner, MissingCacheFolder) {
    const fs::path dir = add_delivery(kFolderA);
    fs::remove_all(dir / "cache");
    const LocalScan result = scan();
    EXPECT_TRUE(contains(result.packages.at(kIdA).incomplete_reason, "cache folder missing in "))
        << dump(result);
}

TEST_F(TreeScanner, EmptyFileListNeedsNoCache) {
    const fs::path dir = add_delivery(kFolderA, "1", {});
    fs::remove_all(dir / "cache");
    const LocalScan result = scan();
    EXPECT_FALSE(result.packages.at(kIdA).incomplete_reason) << dump(result);
}

TEST_F(TreeScanner, CacheFilesInSubfoldersWithBackslashes) {
    add_delivery(kFolderA, "1", {{"bin\\x64\\tool.exe", 4}, {"docs/readme.txt", 2}});
    const LocalScan result = scan();
    const LocalPackage& pkg = result.packages.at(kIdA);
    EXPECT_FALSE(pkg.incomplete_reason) << dump(result);
    EXPECT_FALSE(pkg.unreadable_reason) << dump(result);

    write(result.delivery_dir(kIdA, pkg) / "cache" / "bin" / "x64" / "tool.exe", "1");
    EXPECT_EQ(scan().packages.at(kIdA).incomplete_reason,
              "cache/bin/x64/tool.exe is 1 bytes, snapshot says 4");
}

TEST_F(TreeScanner, CacheEntryThatIsAFolderOrSubfolderThatIsAFile) {
    const fs::path dir = add_delivery(kFolderA, "1", {{"setup.exe", 1}});
    fs::remove(dir / "cache" / "setup.exe");
    fs::create_directories(dir / "cache" / "setup.exe");
    EXPECT_EQ(scan().packages.at(kIdA).incomplete_reason, "cache/setup.exe is not a regular file");

    write(dir / "snapshot.xml", snapshot_xml("1", {{"setup.exe\\inner.txt", 1}}));
    fs::remove_all(dir / "cache" / "setup.exe");
    write(dir / "cache" / "setup.exe", "x");
    EXPECT_EQ(scan().packages.at(kIdA).incomplete_reason, "cache/setup.exe is not a folder");
}

TEST_F(TreeScanner, PathsOverTheAgentLimitAreReported) {
    // Enough characters that <root>/Package Delivery/{guid}/cache/<name> exceeds 254.
    const std::string long_name(
        std::max<std::size_t>(10, 260 - path_to_utf8(paths.package_delivery).size()), 'n');
    const fs::path dir = add_delivery(kFolderA, "1", {{"short.txt", 1}});
    write(dir / "snapshot.xml", snapshot_xml("1", {{"short.txt", 1}, {long_name, 5}}));
    const LocalScan result = scan();
    const LocalPackage& pkg = result.packages.at(kIdA);
    EXPECT_TRUE(contains(pkg.incomplete_reason, "cache/" + long_name + " missing")) << dump(result);
    EXPECT_TRUE(contains(pkg.incomplete_reason, "characters, over the 254")) << dump(result);

    // Present at the right size: the length alone is still reported.
    std::error_code ec;
    {
        std::ofstream out(dir / "cache" / long_name, std::ios::binary);
        out << "12345";
    }
    if (!fs::exists(dir / "cache" / long_name, ec)) {
        GTEST_SKIP() << "cannot create a file with a path over 254 characters here";
    }
    const LocalScan again = scan();
    const auto& reason = again.packages.at(kIdA).incomplete_reason;
    ASSERT_TRUE(reason) << dump(again);
    EXPECT_EQ(reason->find("cache/" + long_name + ": the full path is "), 0u) << *reason;
}

TEST_F(TreeScanner, RootsMissing) {
    paths.package_delivery = tree / "nope" / "Package Delivery";
    paths.package_status = tree / "nope" / "PackageStatus";
    const LocalScan result = scan();
    EXPECT_TRUE(result.packages.empty());
    ASSERT_EQ(findings_of(result, ScanFindingKind::root_missing).size(), 2u) << dump(result);
    EXPECT_EQ(result.findings[0].path, paths.package_delivery);
    EXPECT_EQ(result.findings[1].path, paths.package_status);
}

TEST_F(TreeScanner, OneRootMissingTheOtherIsStillScanned) {
    add_status(kFolderA);
    fs::remove_all(paths.package_delivery);
    const LocalScan result = scan();
    ASSERT_EQ(findings_of(result, ScanFindingKind::root_missing).size(), 1u) << dump(result);
    ASSERT_EQ(result.packages.size(), 1u);
    EXPECT_EQ(result.packages.at(kIdA).status(), "Ready");
}

TEST_F(TreeScanner, RootNotConfiguredOrNotAFolder) {
    paths.package_delivery.clear();
    fs::remove_all(paths.package_status);
    write(paths.package_status, "a file where the folder should be");
    const LocalScan result = scan();
    EXPECT_EQ(findings_of(result, ScanFindingKind::root_missing).size(), 1u) << dump(result);
    EXPECT_EQ(findings_of(result, ScanFindingKind::root_unreadable).size(), 1u) << dump(result);
}

TEST_F(TreeScanner, UnreadableRoot) {
    add_delivery(kFolderA);
    fs::permissions(paths.package_delivery, fs::perms::none);
    std::error_code ec;
    fs::directory_iterator probe(paths.package_delivery, ec);
    const bool listable = !ec;
    if (listable) {
        fs::permissions(paths.package_delivery, fs::perms::owner_all);
        GTEST_SKIP() << "permissions do not stop this process (root, or Windows ACL semantics)";
    }
    const LocalScan result = scan();
    fs::permissions(paths.package_delivery, fs::perms::owner_all);
    EXPECT_EQ(findings_of(result, ScanFindingKind::root_unreadable).size(), 1u) << dump(result);
    EXPECT_TRUE(result.packages.empty());
}

TEST_F(TreeScanner, ScanningTouchesNothing) {
    add_delivery(kFolderA, "1", {{"a.txt", 1}, {"sub\\b.txt", 2}});
    add_status(kFolderA);
    add_delivery(kFolderB, "1", {{"c.txt", 3}});
    write(paths.package_delivery / kFolderB / "cache" / "c.txt", "short");
    write(paths.package_delivery / "stray.log", "x");
    const std::string before = test::describe_tree(tree.root());
    (void)scan();
    (void)scan();
    EXPECT_EQ(test::describe_tree(tree.root()), before);
}

TEST(ScanFindingKindNames, AreStable) {
    EXPECT_STREQ(to_string(ScanFindingKind::unexpected_entry), "unexpected_entry");
    EXPECT_STREQ(to_string(ScanFindingKind::reparse_point), "reparse_point");
    EXPECT_STREQ(to_string(ScanFindingKind::followed_link), "followed_link");
    EXPECT_STREQ(to_string(ScanFindingKind::duplicate_package), "duplicate_package");
    EXPECT_STREQ(to_string(ScanFindingKind::root_missing), "root_missing");
    EXPECT_STREQ(to_string(ScanFindingKind::root_unreadable), "root_unreadable");
}

// --- links -----------------------------------------------------------------------------------

TEST_F(TreeScanner, LinkedPackageFolderIsNotFollowed) {
    const fs::path elsewhere = add_delivery_in(tree.mkdir("elsewhere"), kFolderA);
    PSGUARD_LINK_OR_SKIP(test::make_directory_link(elsewhere, paths.package_delivery / kFolderA));
    add_status(kFolderA);
    const std::string before = test::describe_tree(tree.root());

    const LocalScan result = scan();
    const auto links = findings_of(result, ScanFindingKind::reparse_point);
    ASSERT_EQ(links.size(), 1u) << dump(result);
    EXPECT_EQ(links[0]->path, paths.package_delivery / kFolderA);
    EXPECT_NE(links[0]->detail.find("outside the allow-listed storage roots"), std::string::npos);
    EXPECT_TRUE(findings_of(result, ScanFindingKind::followed_link).empty());
    const LocalPackage& pkg = result.packages.at(kIdA);
    EXPECT_TRUE(contains(pkg.unreadable_reason, "not followed")) << dump(result);
    EXPECT_FALSE(pkg.snapshot);
    EXPECT_EQ(result.delivery_dir(kIdA, pkg), paths.package_delivery / kFolderA);
    EXPECT_TRUE(pkg.package_status);
    EXPECT_EQ(test::describe_tree(tree.root()), before);
}

TEST_F(TreeScanner, LinkOutsideTheRootIsNotFollowedEvenWithStorageRoots) {
    // "store-evil" shares a prefix with "store" but is not inside it; ".." cannot climb out.
    paths.storage_roots = {tree.mkdir("store")};
    const fs::path evil = add_delivery_in(tree.mkdir("store-evil"), kFolderA);
    add_delivery_in(tree.mkdir("outside"), kFolderB);
    PSGUARD_LINK_OR_SKIP(test::make_directory_link(evil, paths.package_delivery / kFolderA));
    PSGUARD_LINK_OR_SKIP(test::make_directory_symlink(
        fs::path("..") / "store" / ".." / "outside" / kFolderB, paths.package_delivery / kFolderB));
    const LocalScan result = scan();
    EXPECT_EQ(findings_of(result, ScanFindingKind::reparse_point).size(), 2u) << dump(result);
    EXPECT_TRUE(findings_of(result, ScanFindingKind::followed_link).empty()) << dump(result);
    EXPECT_TRUE(result.packages.at(kIdA).unreadable_reason);
    EXPECT_TRUE(result.packages.at(kIdB).unreadable_reason);
}

TEST_F(TreeScanner, LinkIntoAllowListedStorageRootIsFollowed) {
    const fs::path store = tree.mkdir("PackageStore");
    paths.storage_roots = {store};
    const fs::path moved = add_delivery_in(store, kFolderA);
    PSGUARD_LINK_OR_SKIP(test::make_directory_link(moved, paths.package_delivery / kFolderA));
    add_status(kFolderA);

    const LocalScan result = scan();
    const auto followed = findings_of(result, ScanFindingKind::followed_link);
    ASSERT_EQ(followed.size(), 1u) << dump(result);
    EXPECT_EQ(followed[0]->path, paths.package_delivery / kFolderA);
    EXPECT_TRUE(findings_of(result, ScanFindingKind::reparse_point).empty()) << dump(result);
    const LocalPackage& pkg = result.packages.at(kIdA);
    EXPECT_FALSE(pkg.unreadable_reason) << dump(result);
    EXPECT_FALSE(pkg.incomplete_reason) << dump(result);
    ASSERT_TRUE(pkg.snapshot);
    EXPECT_EQ(pkg.snapshot->version, "1601867730");
    // Read (and later acted on) at the resolved target, not through the link again.
    std::error_code ec;
    EXPECT_EQ(result.delivery_dir(kIdA, pkg), fs::canonical(moved, ec));
}

TEST_F(TreeScanner, AllowListedTargetThatEscapesThroughAnotherLinkIsNotFollowed) {
    const fs::path store = tree.mkdir("store");
    paths.storage_roots = {store};
    const fs::path outside = tree.mkdir("outside");
    add_delivery_in(outside, kFolderA);
    PSGUARD_LINK_OR_SKIP(test::make_directory_link(outside, store / "hop"));
    // Lexically inside the store, really outside.
    PSGUARD_LINK_OR_SKIP(
        test::make_directory_symlink(store / "hop" / kFolderA, paths.package_delivery / kFolderA));
    const LocalScan result = scan();
    const auto links = findings_of(result, ScanFindingKind::reparse_point);
    ASSERT_EQ(links.size(), 1u) << dump(result);
    EXPECT_TRUE(findings_of(result, ScanFindingKind::followed_link).empty()) << dump(result);
    EXPECT_TRUE(result.packages.at(kIdA).unreadable_reason);
}

TEST_F(TreeScanner, DanglingLinkIsReportedNotFollowed) {
    paths.storage_roots = {tree.mkdir("store")};
    PSGUARD_LINK_OR_SKIP(
        test::make_directory_symlink(tree / "store" / "gone", paths.package_delivery / kFolderA));
    const LocalScan result = scan();
    EXPECT_EQ(findings_of(result, ScanFindingKind::reparse_point).size(), 1u) << dump(result);
    EXPECT_TRUE(contains(result.packages.at(kIdA).unreadable_reason, "not followed"));
}

TEST_F(TreeScanner, LinkedSnapshotXmlIsNotRead) {
    const fs::path dir = add_delivery(kFolderA);
    const fs::path real = tree.write("elsewhere/snapshot.xml", snapshot_xml("1", {}));
    fs::remove(dir / "snapshot.xml");
    PSGUARD_LINK_OR_SKIP(test::make_file_symlink(real, dir / "snapshot.xml"));
    const LocalScan result = scan();
    const LocalPackage& pkg = result.packages.at(kIdA);
    EXPECT_TRUE(contains(pkg.unreadable_reason, "snapshot.xml is a symlink; not followed"))
        << dump(result);
    EXPECT_FALSE(pkg.snapshot);
}

TEST_F(TreeScanner, LinksInsideTheCacheAreNotFollowed) {
    const fs::path dir = add_delivery(kFolderA, "1", {{"setup.exe", 3}});
    const fs::path real = tree.write("elsewhere/setup.exe", "abc");
    fs::remove(dir / "cache" / "setup.exe");
    PSGUARD_LINK_OR_SKIP(test::make_file_symlink(real, dir / "cache" / "setup.exe"));
    EXPECT_EQ(scan().packages.at(kIdA).incomplete_reason,
              "cache/setup.exe is a symlink; not followed");

    // The cache folder itself as a link.
    fs::remove_all(dir / "cache");
    PSGUARD_LINK_OR_SKIP(test::make_directory_link(tree.mkdir("elsewhere/cache"), dir / "cache"));
    const LocalScan result = scan();
    EXPECT_TRUE(contains(result.packages.at(kIdA).incomplete_reason, "not followed"))
        << dump(result);
}

TEST_F(TreeScanner, LinkedRootIsNotScannedUnlessAllowListed) {
    const fs::path real = tree.mkdir("real delivery");
    add_delivery_in(real, kFolderA);
    fs::remove_all(paths.package_delivery);
    PSGUARD_LINK_OR_SKIP(test::make_directory_link(real, paths.package_delivery));

    paths.package_delivery /= "";  // a trailing separator must not make the link transparent
    const LocalScan refused = scan();
    ASSERT_EQ(findings_of(refused, ScanFindingKind::reparse_point).size(), 1u) << dump(refused);
    EXPECT_EQ(path_to_utf8(refused.findings[0].path), path_to_utf8(paths.package_delivery));
    EXPECT_TRUE(refused.packages.empty()) << dump(refused);

    paths.storage_roots = {real};
    const LocalScan followed = scan();
    ASSERT_EQ(findings_of(followed, ScanFindingKind::followed_link).size(), 1u) << dump(followed);
    ASSERT_EQ(followed.packages.size(), 1u) << dump(followed);
    const LocalPackage& pkg = followed.packages.at(kIdA);
    EXPECT_TRUE(pkg.snapshot) << dump(followed);
    EXPECT_FALSE(pkg.unreadable_reason) << dump(followed);
}

// --- relocated storage (ITMS 8.x custom location) ---------------------------------------------

namespace relocation {

// A package whose snapshot.xml stays in Package Delivery while its files live in `files`:
// the snapshot records the location (attribute `location`) and the custom-location flag.
std::string relocated_snapshot(const fs::path& files, std::size_t size,
                               std::string_view flag = "true") {
    return "<Snapshot version=\"7\" location=\"" + path_to_utf8(files) + "\" IsCustomLocation=\"" +
           std::string(flag) + "\"><File name=\"setup.exe\" size=\"" + std::to_string(size) +
           "\"/></Snapshot>";
}

}  // namespace relocation

TEST_F(TreeScanner, RelocatedFilesAreCheckedWhereTheSnapshotSays) {
    const fs::path files = tree.mkdir("D-drive/Packages/" + std::string(kFolderA));
    write(files / "setup.exe", std::string(100, 'x'));
    write(paths.package_delivery / kFolderA / "snapshot.xml",
          relocation::relocated_snapshot(files, 100));
    add_status(kFolderA);

    LocalScan result = scan();
    const LocalPackage& pkg = result.packages.at(kIdA);
    // No cache folder under Package Delivery, and that is no problem: the files are elsewhere.
    EXPECT_FALSE(pkg.incomplete_reason) << dump(result);
    EXPECT_FALSE(pkg.unreadable_reason) << dump(result);
    EXPECT_EQ(result.delivery_dir(kIdA, pkg), paths.package_delivery / kFolderA);

    // The files there are really checked: a wrong size is found.
    write(files / "setup.exe", std::string(99, 'x'));
    result = scan();
    EXPECT_TRUE(contains(result.packages.at(kIdA).incomplete_reason, "snapshot says 100"))
        << dump(result);
    // A missing location is the package's problem, named with where it should be.
    fs::remove_all(files);
    result = scan();
    EXPECT_TRUE(contains(result.packages.at(kIdA).incomplete_reason,
                         "the storage location snapshot.xml records"))
        << dump(result);
}

TEST_F(TreeScanner, AJunctionInPackageDeliveryToTheRecordedLocationIsAllowed) {
    const fs::path files = tree.mkdir("E-drive/Store/" + std::string(kFolderA));
    write(files / "setup.exe", std::string(10, 'x'));
    const fs::path package = tree.mkdir("Package Delivery/" + std::string(kFolderA));
    write(package / "snapshot.xml", relocation::relocated_snapshot(files, 10));
    PSGUARD_LINK_OR_SKIP(test::make_directory_link(files, package / "cache"));
    add_status(kFolderA);

    const LocalScan result = scan();  // no storage_roots configured
    const LocalPackage& pkg = result.packages.at(kIdA);
    EXPECT_FALSE(pkg.incomplete_reason) << dump(result);
    EXPECT_FALSE(pkg.unreadable_reason) << dump(result);
    const auto followed = findings_of(result, ScanFindingKind::followed_link);
    ASSERT_EQ(followed.size(), 1u) << dump(result);
    EXPECT_EQ(followed[0]->path, package / "cache");
    EXPECT_TRUE(findings_of(result, ScanFindingKind::reparse_point).empty()) << dump(result);
}

TEST_F(TreeScanner, ACacheJunctionElsewhereStaysUnfollowedAndNamesTheSetting) {
    const fs::path elsewhere = tree.mkdir("elsewhere");
    write(elsewhere / "setup.exe", std::string(2048, 'x'));
    const fs::path dir = add_delivery(kFolderA);
    fs::remove_all(dir / "cache");
    PSGUARD_LINK_OR_SKIP(test::make_directory_link(elsewhere, dir / "cache"));
    add_status(kFolderA);
    const LocalScan result = scan();
    EXPECT_TRUE(contains(result.packages.at(kIdA).incomplete_reason, "paths.storage_roots"))
        << dump(result);
}

TEST_F(TreeScanner, ARecordedLocationThatIsALinkIsReadOnlyIntoAStorageRoot) {
    const fs::path real = tree.mkdir("F-drive/real");
    write(real / "setup.exe", std::string(10, 'x'));
    const fs::path via = tree.root() / "via-link";
    PSGUARD_LINK_OR_SKIP(test::make_directory_link(real, via));
    write(paths.package_delivery / kFolderA / "snapshot.xml",
          relocation::relocated_snapshot(via, 10));
    add_status(kFolderA);

    LocalScan result = scan();
    EXPECT_TRUE(contains(result.packages.at(kIdA).unreadable_reason,
                         "not followed: list its target in paths.storage_roots"))
        << dump(result);
    paths.storage_roots = {tree.root() / "F-drive"};
    result = scan();
    EXPECT_FALSE(result.packages.at(kIdA).unreadable_reason) << dump(result);
    EXPECT_FALSE(result.packages.at(kIdA).incomplete_reason) << dump(result);
}

TEST_F(TreeScanner, ACustomLocationWithoutAPathNamesTheSettingThenUsesTheStorageRoots) {
    // The flag, but no location psguard can read, and no cache folder here.
    write(paths.package_delivery / kFolderA / "snapshot.xml",
          "<Snapshot version=\"7\"><IsCustomLocation>True</IsCustomLocation>"
          "<File name=\"setup.exe\" size=\"5\"/></Snapshot>");
    add_status(kFolderA);
    LocalScan result = scan();
    const auto& reason = result.packages.at(kIdA).unreadable_reason;
    EXPECT_TRUE(contains(reason, "custom location")) << dump(result);
    EXPECT_TRUE(contains(reason, "paths.storage_roots")) << dump(result);
    EXPECT_FALSE(result.packages.at(kIdA).incomplete_reason) << dump(result);

    // The administrator lists the storage folder: the package's folder there is checked.
    const fs::path store = tree.mkdir("G-drive/Store");
    write(store / kFolderA / "cache" / "setup.exe", std::string(5, 'x'));
    paths.storage_roots = {store};
    result = scan();
    EXPECT_FALSE(result.packages.at(kIdA).unreadable_reason) << dump(result);
    EXPECT_FALSE(result.packages.at(kIdA).incomplete_reason) << dump(result);
    // ... and really checked there: a wrong size in the store is found.
    write(store / kFolderA / "cache" / "setup.exe", std::string(4, 'x'));
    result = scan();
    EXPECT_TRUE(contains(result.packages.at(kIdA).incomplete_reason, "snapshot says 5"))
        << dump(result);
}

TEST_F(TreeScanner, TheDefaultLocationRecordedExplicitlyIsTheCache) {
    const fs::path dir = add_delivery(kFolderA, "7", {{"setup.exe", 3}});
    write(dir / "snapshot.xml", relocation::relocated_snapshot(dir / "cache", 3, "false"));
    add_status(kFolderA, "Ready", "7");
    LocalScan result = scan();
    EXPECT_FALSE(result.packages.at(kIdA).incomplete_reason) << dump(result);
    write(dir / "cache" / "setup.exe", std::string(2, 'x'));
    result = scan();
    EXPECT_TRUE(contains(result.packages.at(kIdA).incomplete_reason, "snapshot says 3"))
        << dump(result);
    fs::remove_all(dir / "cache");
    result = scan();
    EXPECT_TRUE(contains(result.packages.at(kIdA).incomplete_reason, "cache folder missing"))
        << dump(result);
}

}  // namespace
}  // namespace psguard
