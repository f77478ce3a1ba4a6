// Platform seam: a file opened for reading without ever getting in the writer's way. The Symantec
// agent keeps appending to, renaming and deleting its logs while psguard reads them, so the file
// is opened sharing read, write and delete (Windows) and read at explicit offsets; a link is
// never followed. POSIX: shared_file_posix.cpp, Windows: shared_file_windows.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>

#include "core/result.hpp"

namespace psguard {

// What stays the same when a file is renamed: st_dev + st_ino on POSIX, the volume serial
// number + file index on Windows. Both zero when the platform does not tell.
struct FileIdentity {
    std::uint64_t device = 0;
    std::uint64_t index = 0;

    bool known() const noexcept { return device != 0 || index != 0; }
    friend bool operator==(const FileIdentity&, const FileIdentity&) = default;
};

class SharedFile {
  public:
    // Errors: "is a symlink; not followed", "is not a regular file", the system's reason.
    static Result<SharedFile> open(const std::filesystem::path& path);

    SharedFile(SharedFile&& other) noexcept;
    SharedFile& operator=(SharedFile&& other) noexcept;
    SharedFile(const SharedFile&) = delete;
    SharedFile& operator=(const SharedFile&) = delete;
    ~SharedFile();

    const FileIdentity& identity() const noexcept { return identity_; }

    // The current size: the file may grow (or shrink) while it is open.
    Result<std::uint64_t> size() const;

    // Up to `length` bytes at `offset`; fewer only at the end of the file (0 there).
    Result<std::size_t> read_at(std::uint64_t offset, char* buffer, std::size_t length) const;

  private:
    struct Native;  // the descriptor or HANDLE, defined by each platform file
    SharedFile(std::unique_ptr<Native> native, FileIdentity identity) noexcept;

    std::unique_ptr<Native> native_;
    FileIdentity identity_;
};

}  // namespace psguard
