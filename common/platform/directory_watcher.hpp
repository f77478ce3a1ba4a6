// Watches the Package Delivery and PackageStatus roots so that a change triggers a cycle within
// seconds instead of waiting for the timer. Linux: inotify on each root and each package folder;
// Windows: ReadDirectoryChangesW (overlapped) on each root's subtree. When the OS drops events
// (inotify IN_Q_OVERFLOW; ERROR_NOTIFY_ENUM_DIR or a zero-byte completion on Windows) the
// watcher says so and the agent rescans everything. A root that disappears is watched again
// by rearm() once it is back (the agent calls it after each cycle: no polling of its own).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "core/result.hpp"

namespace psguard {

struct WatchEvent {
    enum class Kind { changed, overflow } kind = Kind::changed;
    std::filesystem::path path;  // what changed (changed only)
};

class DirectoryWatcher {
  public:
    using Callback = std::function<void(const WatchEvent&)>;

    // The callback runs on the watcher's own thread.
    static Result<std::unique_ptr<DirectoryWatcher>> start(std::vector<std::filesystem::path> roots,
                                                           Callback callback);
    virtual ~DirectoryWatcher() = default;

    // Watches again any root that disappeared and is back; returns how many roots are watched.
    virtual std::size_t rearm() = 0;
};

}  // namespace psguard
