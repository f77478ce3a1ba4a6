#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>

#include "core/utf8_path.hpp"
#include "platform/directory_watcher.hpp"
#include "platform/unique_fd.hpp"
#include "platform/watch_table.hpp"

namespace psguard {
namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t kFolderEvents = IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE |
                                        IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF |
                                        IN_MOVE_SELF | IN_DONT_FOLLOW | IN_ONLYDIR;

constexpr int kMaxDepth = 2;

class InotifyWatcher final : public DirectoryWatcher {
  public:
    InotifyWatcher(std::vector<fs::path> roots, Callback callback, UniqueFd inotify, UniqueFd wake)
        : roots_(std::move(roots)),
          callback_(std::move(callback)),
          inotify_(std::move(inotify)),
          wake_(std::move(wake)) {
        rearm();
        thread_ = std::jthread([this] { run(); });
    }

    ~InotifyWatcher() override {
        const std::uint64_t one = 1;
        [[maybe_unused]] auto ignored = ::write(wake_.get(), &one, sizeof(one));
        thread_.join();
    }

    std::size_t rearm() override {
        std::lock_guard lock(mutex_);
        std::size_t watched = 0;
        for (const auto& root : roots_) {
            if (watches_.has_root(root)) {
                ++watched;
                continue;
            }
            if (watch_tree(root, 0)) {
                ++watched;
            }
        }
        watches_.shrink_to_fit();
        return watched;
    }

  private:
    // Caller holds mutex_. Watches `folder` and its sub-folders down to kMaxDepth (a root,
    // its package folders, their cache folders); links are never followed.
    // `parent` is the watch of the folder holding it (WatchTable::kNoParent for a root).
    bool watch_tree(const fs::path& folder, int depth, int parent = WatchTable::kNoParent) {
        const int wd = inotify_add_watch(inotify_.get(), folder.c_str(), kFolderEvents);
        if (wd < 0) {
            return false;
        }
        watches_.add(wd, parent, depth, depth == 0 ? folder.native() : folder.filename().native());
        if (depth < kMaxDepth) {
            std::error_code ec;
            for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
                if (!it->is_symlink(ec) && it->is_directory(ec)) {
                    watch_tree(it->path(), depth + 1, wd);
                }
            }
        }
        return true;
    }

    void handle(const inotify_event& event) {
        if ((event.mask & IN_Q_OVERFLOW) != 0) {
            callback_({WatchEvent::Kind::overflow, {}});
            return;
        }
        std::optional<fs::path> folder;
        {
            std::lock_guard lock(mutex_);
            const std::optional<int> depth = watches_.depth_of(event.wd);
            if (!depth) {
                return;
            }
            folder = watches_.folder_of(event.wd);
            if ((event.mask & IN_IGNORED) != 0) {
                watches_.remove(event.wd);  // the folder went away; rearm() watches it again later
            }
            const bool new_folder = (event.mask & (IN_CREATE | IN_MOVED_TO)) != 0 &&
                                    (event.mask & IN_ISDIR) != 0 && event.len > 0;
            if (folder && new_folder && *depth < kMaxDepth) {
                watch_tree(*folder / event.name, *depth + 1, event.wd);
            }
        }
        if (!folder) {
            // A folder above this one went away: which path changed is unknown, so the agent
            // re-scans everything, as after a lost event.
            callback_({WatchEvent::Kind::overflow, {}});
            return;
        }
        callback_({WatchEvent::Kind::changed, event.len > 0 ? *folder / event.name : *folder});
    }

    void run() {
        alignas(inotify_event) char buffer[64 * 1024];
        pollfd fds[2] = {{inotify_.get(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
        for (;;) {
            // Blocks until an event or the stop signal: no timeout, no polling.
            if (::poll(fds, 2, -1) < 0) {
                if (errno == EINTR) {
                    continue;
                }
                return;
            }
            if ((fds[1].revents & POLLIN) != 0) {
                return;
            }
            const ssize_t length = ::read(inotify_.get(), buffer, sizeof(buffer));
            if (length <= 0) {
                continue;
            }
            for (ssize_t offset = 0; offset < length;) {
                const auto* event = reinterpret_cast<const inotify_event*>(buffer + offset);
                handle(*event);
                offset += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
            }
        }
    }

    std::vector<fs::path> roots_;
    Callback callback_;
    UniqueFd inotify_;
    UniqueFd wake_;
    std::mutex mutex_;
    WatchTable watches_;
    std::jthread thread_;
};

}  // namespace

Result<std::unique_ptr<DirectoryWatcher>> DirectoryWatcher::start(std::vector<fs::path> roots,
                                                                  Callback callback) {
    UniqueFd inotify(inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (!inotify) {
        return fail(std::string("inotify_init1 failed: ") + std::strerror(errno));
    }
    UniqueFd wake(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!wake) {
        return fail(std::string("eventfd failed: ") + std::strerror(errno));
    }
    return std::unique_ptr<DirectoryWatcher>(new InotifyWatcher(
        std::move(roots), std::move(callback), std::move(inotify), std::move(wake)));
}

}  // namespace psguard
