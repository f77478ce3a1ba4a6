// The inotify seam (directory_watcher_posix.cpp) on real folders: a change is reported with its
// whole path, also two levels down and in folders created after the start, although the watcher
// keeps only each folder's name. The Windows seam (ReadDirectoryChangesW over the whole subtree)
// is not run here: Wine's change notifications are not what the test would be checking.
#include "platform/directory_watcher.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <vector>

#include "temp_tree.hpp"

namespace psguard {
namespace {

namespace fs = std::filesystem;

#if defined(_WIN32)
#define SKIP_ON_WINDOWS() GTEST_SKIP() << "tests the inotify seam only"
#else
#define SKIP_ON_WINDOWS() (void)0
#endif

// Collects the watcher's events; waits for one path (the OS may report others first).
class Recorder {
  public:
    DirectoryWatcher::Callback callback() {
        return [this](const WatchEvent& event) {
            std::lock_guard lock(mutex_);
            events_.push_back(event);
            arrived_.notify_all();
        };
    }

    bool saw(const fs::path& path) {
        std::unique_lock lock(mutex_);
        // A generous bound: inotify reports within milliseconds; only a broken watcher waits.
        return arrived_.wait_for(lock, std::chrono::seconds(10), [&] {
            for (const auto& event : events_) {
                if (event.kind == WatchEvent::Kind::changed && event.path == path) {
                    return true;
                }
            }
            return false;
        });
    }

  private:
    std::mutex mutex_;
    std::condition_variable arrived_;
    std::vector<WatchEvent> events_;
};

void write_file(const fs::path& path) {
    std::ofstream(path) << "<PackageStatus status=\"Ready\"/>";
}

constexpr const char* kPackage = "{6d417916-1234-4abc-9def-0123456789a1}";

TEST(DirectoryWatcher, AChangeTwoLevelsDownIsReportedWithItsWholePath) {
    SKIP_ON_WINDOWS();
    test::TempTree tree;
    const fs::path root = tree.mkdir(fs::path(kPackage) / "cache").parent_path().parent_path();
    Recorder recorder;
    auto watcher = DirectoryWatcher::start({root}, recorder.callback());
    ASSERT_TRUE(watcher) << watcher.error().message;

    write_file(root / kPackage / "PackageStatus.xml");
    EXPECT_TRUE(recorder.saw(root / kPackage / "PackageStatus.xml"));
    write_file(root / kPackage / "cache" / "setup.exe");
    EXPECT_TRUE(recorder.saw(root / kPackage / "cache" / "setup.exe"));
}

TEST(DirectoryWatcher, FoldersCreatedAfterTheStartAreWatchedUnderTheirPath) {
    SKIP_ON_WINDOWS();
    test::TempTree tree;
    const fs::path root = tree.mkdir("Package Delivery");
    Recorder recorder;
    auto watcher = DirectoryWatcher::start({root}, recorder.callback());
    ASSERT_TRUE(watcher) << watcher.error().message;

    fs::create_directory(root / kPackage);
    ASSERT_TRUE(recorder.saw(root / kPackage));
    fs::create_directory(root / kPackage / "cache");
    ASSERT_TRUE(recorder.saw(root / kPackage / "cache"));
    write_file(root / kPackage / "cache" / "setup.exe");
    EXPECT_TRUE(recorder.saw(root / kPackage / "cache" / "setup.exe"));
}

TEST(DirectoryWatcher, TwoRootsKeepTheirOwnPaths) {
    SKIP_ON_WINDOWS();
    test::TempTree tree;
    const fs::path delivery = tree.mkdir(fs::path("Package Delivery") / kPackage).parent_path();
    const fs::path status = tree.mkdir(fs::path("PackageStatus") / kPackage).parent_path();
    Recorder recorder;
    auto watcher = DirectoryWatcher::start({delivery, status}, recorder.callback());
    ASSERT_TRUE(watcher) << watcher.error().message;
    EXPECT_EQ((*watcher)->rearm(), 2u);

    write_file(status / kPackage / "PackageStatus.xml");
    EXPECT_TRUE(recorder.saw(status / kPackage / "PackageStatus.xml"));
    write_file(delivery / kPackage / "snapshot.xml");
    EXPECT_TRUE(recorder.saw(delivery / kPackage / "snapshot.xml"));
}

}  // namespace
}  // namespace psguard
