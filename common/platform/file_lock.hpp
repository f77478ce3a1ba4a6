// An exclusive, advisory lock on a file in the state folder: one psguard at a time may heal
// (the service and an administrator's `psguard check --heal` must not both act). Released when
// the object goes away, and by the OS if the process dies. POSIX: flock; Windows: LockFileEx.
#pragma once

#include <filesystem>
#include <memory>

#include "core/result.hpp"

namespace psguard {

class FileLock {
  public:
    // Fails at once (never waits) when another process holds the lock.
    static Result<FileLock> try_acquire(const std::filesystem::path& file);

    FileLock(FileLock&&) noexcept;
    FileLock& operator=(FileLock&&) noexcept;
    ~FileLock();

  private:
    struct Handle;
    explicit FileLock(std::unique_ptr<Handle> handle);
    std::unique_ptr<Handle> handle_;
};

}  // namespace psguard
