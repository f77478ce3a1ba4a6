#include <windows.h>

#include <mutex>
#include <thread>
#include <vector>

#include "platform/directory_watcher.hpp"
#include "platform/win_handle.hpp"

namespace psguard {
namespace {

namespace fs = std::filesystem;

constexpr DWORD kFilter = FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_DIR_NAME |
                          FILE_NOTIFY_CHANGE_SIZE | FILE_NOTIFY_CHANGE_LAST_WRITE |
                          FILE_NOTIFY_CHANGE_ATTRIBUTES;
constexpr DWORD kBufferBytes = 64 * 1024;

// One root: its directory handle, the overlapped read in flight and its buffer.
struct RootWatch {
    fs::path root;
    WinHandle directory;
    WinHandle event;
    OVERLAPPED overlapped{};
    std::vector<DWORD> buffer = std::vector<DWORD>(kBufferBytes / sizeof(DWORD));
    bool armed = false;
};

class ReadChangesWatcher final : public DirectoryWatcher {
  public:
    ReadChangesWatcher(std::vector<fs::path> roots, Callback callback)
        : callback_(std::move(callback)),
          stop_(CreateEventW(nullptr, TRUE, FALSE, nullptr)),
          rearmed_(CreateEventW(nullptr, FALSE, FALSE, nullptr)) {
        for (auto& root : roots) {
            auto watch = std::make_unique<RootWatch>();
            watch->root = std::move(root);
            watch->event.reset(CreateEventW(nullptr, TRUE, FALSE, nullptr));
            watches_.push_back(std::move(watch));
        }
        rearm();
        thread_ = std::jthread([this] { run(); });
    }

    ~ReadChangesWatcher() override {
        SetEvent(stop_.get());
        thread_.join();
        for (auto& watch : watches_) {
            if (watch->armed) {
                CancelIoEx(watch->directory.get(), &watch->overlapped);
                DWORD ignored = 0;
                GetOverlappedResult(watch->directory.get(), &watch->overlapped, &ignored, TRUE);
            }
        }
    }

    std::size_t rearm() override {
        std::lock_guard lock(mutex_);
        std::size_t watched = 0;
        for (auto& watch : watches_) {
            if (!watch->armed) {
                // FILE_FLAG_OPEN_REPARSE_POINT: a root that is a junction is watched itself.
                watch->directory.reset(CreateFileW(
                    watch->root.c_str(), FILE_LIST_DIRECTORY,
                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_EXISTING,
                    FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OVERLAPPED, nullptr));
                watch->armed = watch->directory && issue_read(*watch);
            }
            watched += watch->armed ? 1 : 0;
        }
        SetEvent(rearmed_.get());  // the thread picks up the new set of handles
        return watched;
    }

  private:
    static bool issue_read(RootWatch& watch) {
        ResetEvent(watch.event.get());
        watch.overlapped = OVERLAPPED{};
        watch.overlapped.hEvent = watch.event.get();
        return ReadDirectoryChangesW(watch.directory.get(), watch.buffer.data(),
                                     static_cast<DWORD>(watch.buffer.size() * sizeof(DWORD)), TRUE,
                                     kFilter, nullptr, &watch.overlapped, nullptr) != FALSE;
    }

    void deliver(RootWatch& watch, DWORD bytes) {
        if (bytes == 0) {
            // The buffer overflowed: the changes are lost, rescan everything.
            callback_({WatchEvent::Kind::overflow, {}});
            return;
        }
        const auto* base = reinterpret_cast<const char*>(watch.buffer.data());
        for (DWORD offset = 0;;) {
            const auto* info = reinterpret_cast<const FILE_NOTIFY_INFORMATION*>(base + offset);
            const std::wstring name(info->FileName, info->FileNameLength / sizeof(wchar_t));
            callback_({WatchEvent::Kind::changed, watch.root / name});
            if (info->NextEntryOffset == 0) {
                break;
            }
            offset += info->NextEntryOffset;
        }
    }

    void run() {
        for (;;) {
            std::vector<HANDLE> handles = {stop_.get(), rearmed_.get()};
            std::vector<RootWatch*> owners;
            {
                std::lock_guard lock(mutex_);
                for (auto& watch : watches_) {
                    if (watch->armed) {
                        handles.push_back(watch->event.get());
                        owners.push_back(watch.get());
                    }
                }
            }
            // Blocks until a change, a rearm() or the stop: no timeout, no polling.
            const DWORD waited = WaitForMultipleObjects(static_cast<DWORD>(handles.size()),
                                                        handles.data(), FALSE, INFINITE);
            if (waited == WAIT_OBJECT_0 || waited == WAIT_FAILED) {
                return;
            }
            if (waited == WAIT_OBJECT_0 + 1) {
                continue;  // rearmed: rebuild the handle list
            }
            RootWatch& watch = *owners[waited - WAIT_OBJECT_0 - 2];
            DWORD bytes = 0;
            std::lock_guard lock(mutex_);
            if (!GetOverlappedResult(watch.directory.get(), &watch.overlapped, &bytes, FALSE)) {
                if (GetLastError() == ERROR_NOTIFY_ENUM_DIR) {
                    callback_({WatchEvent::Kind::overflow, {}});
                } else {
                    // The root went away (deleted, renamed, volume gone): watch it again later.
                    watch.armed = false;
                    watch.directory.reset();
                    callback_({WatchEvent::Kind::overflow, {}});
                    continue;
                }
            } else {
                deliver(watch, bytes);
            }
            watch.armed = issue_read(watch);
        }
    }

    Callback callback_;
    WinHandle stop_;
    WinHandle rearmed_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<RootWatch>> watches_;
    std::jthread thread_;
};

}  // namespace

Result<std::unique_ptr<DirectoryWatcher>> DirectoryWatcher::start(std::vector<fs::path> roots,
                                                                  Callback callback) {
    return std::unique_ptr<DirectoryWatcher>(
        new ReadChangesWatcher(std::move(roots), std::move(callback)));
}

}  // namespace psguard
