// The Package Server tree as the agent writes it:
//   <Package Delivery>/<GUID>/snapshot.xml and cache/<files>
//   <PackageStatus>/<GUID>/PackageStatus.xml
// Everything below the two roots is reached with openat() from a folder descriptor and
// O_NOFOLLOW (or AT_SYMLINK_NOFOLLOW), names are validated GUIDs or fixed names, so no write can
// follow a symbolic link or land outside the roots. Files are written to a temporary name and
// renamed into place: a reader never sees half a file.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "manifest.hpp"

namespace psguard::simulator {

inline constexpr std::string_view kSnapshotFile = "snapshot.xml";
inline constexpr std::string_view kPackageStatusFile = "PackageStatus.xml";

// An owned file descriptor.
class UniqueFd {
  public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    ~UniqueFd();
    UniqueFd(UniqueFd&& other) noexcept;
    UniqueFd& operator=(UniqueFd&& other) noexcept;
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    int get() const { return fd_; }
    // Gives up ownership: the caller closes the descriptor.
    int release() { return std::exchange(fd_, -1); }
    explicit operator bool() const { return fd_ >= 0; }

  private:
    int fd_ = -1;
};

// A step on the tree that failed: the errno (0 when the refusal is ours, e.g. a symbolic link),
// the path it concerned and a sentence for people.
class TreeError : public std::runtime_error {
  public:
    TreeError(int error_number, std::filesystem::path path, const std::string& message)
        : std::runtime_error(message), error_number_(error_number), path_(std::move(path)) {}

    int error_number() const { return error_number_; }
    const std::filesystem::path& path() const { return path_; }

  private:
    int error_number_;
    std::filesystem::path path_;
};

// Opens a root folder named on the command line. The root itself may be reached through a
// symbolic link (the operator chose it); nothing below it is.
UniqueFd open_root(const std::filesystem::path& root);

// The name of the folder in `root` that holds package `guid`, whatever its case: the exact
// spelling if it exists, else the one entry equal to it ignoring case; nullopt if none.
// Throws TreeError when the folder cannot be listed or two spellings compete.
std::optional<std::string> find_package_folder(int root_fd, const std::filesystem::path& root_path,
                                               std::string_view guid);

// Opens the package folder `name` in `root`; refuses (TreeError) a symbolic link or a non-folder.
UniqueFd open_package_folder(int root_fd, const std::filesystem::path& root_path,
                             const std::string& name);

// Why the package's cache/ does not hold the manifest's files with their sizes; nullopt when it
// does. Nothing is followed: a symbolic link counts as missing.
std::optional<std::string> cache_problem(int package_fd, const std::filesystem::path& package_path,
                                         const ManifestPackage& package);

// The exact bytes the agent writes.
std::string snapshot_xml(const ManifestPackage& package);
std::string package_status_xml(const ManifestPackage& package);

// Writes `name` in the folder `dir_fd` unless it exists; true when it was written. A name that
// exists but is not a regular file (a symbolic link, a folder) is refused with TreeError.
bool write_file_if_missing(int dir_fd, const std::filesystem::path& dir_path, std::string_view name,
                           std::string_view content);

// The agent's status write for one package, run as the Package Service account: finds or
// creates <status_root>/<GUID>/ and writes PackageStatus.xml there if it is missing.
struct StatusWrite {
    enum class Outcome { present, written, failed };
    Outcome outcome = Outcome::failed;
    int error_number = 0;  // when failed: errno, 0 for a refusal of ours
    std::string path;      // when failed: the path that could not be created or opened
    std::string message;   // when failed: what happened

    bool denied() const;  // EACCES or EPERM: the account lacks the right
    nlohmann::json to_json() const;
    static StatusWrite from_json(const nlohmann::json& value);
};

StatusWrite write_package_status(const std::filesystem::path& status_root,
                                 const ManifestPackage& package);

}  // namespace psguard::simulator
