#include "tree_writer.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

namespace psguard::simulator {
namespace {

namespace fs = std::filesystem;

std::string describe(int error_number) {
    return std::strerror(error_number);
}

[[noreturn]] void fail(int error_number, const fs::path& path, const std::string& doing) {
    throw TreeError(error_number, path,
                    doing + " " + path.string() + ": " + describe(error_number));
}

enum class Kind { missing, directory, regular, symlink, other };

Kind kind_of(int dir_fd, const fs::path& dir_path, const std::string& name) {
    struct stat info {};
    if (::fstatat(dir_fd, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) {
            return Kind::missing;
        }
        fail(errno, dir_path / name, "cannot inspect");
    }
    if (S_ISLNK(info.st_mode)) {
        return Kind::symlink;
    }
    if (S_ISDIR(info.st_mode)) {
        return Kind::directory;
    }
    if (S_ISREG(info.st_mode)) {
        return Kind::regular;
    }
    return Kind::other;
}

std::string xml_attribute(std::string_view text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

void write_all(int fd, std::string_view content, const fs::path& path) {
    while (!content.empty()) {
        const ssize_t written = ::write(fd, content.data(), content.size());
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            fail(errno, path, "cannot write");
        }
        content.remove_prefix(static_cast<std::size_t>(written));
    }
}

}  // namespace

UniqueFd::~UniqueFd() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

UniqueFd::UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

UniqueFd open_root(const fs::path& root) {
    UniqueFd fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) {
        fail(errno, root, "cannot open");
    }
    return fd;
}

std::optional<std::string> find_package_folder(int root_fd, const fs::path& root_path,
                                               std::string_view guid) {
    const std::string exact(guid);
    if (kind_of(root_fd, root_path, exact) != Kind::missing) {
        return exact;
    }
    // fdopendir takes the descriptor it is given: hand it a second one on the same folder.
    UniqueFd listing(::openat(root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!listing) {
        fail(errno, root_path, "cannot list");
    }
    DIR* dir = ::fdopendir(listing.get());
    if (dir == nullptr) {
        fail(errno, root_path, "cannot list");
    }
    listing.release();  // now owned by `dir`
    std::vector<std::string> matches;
    errno = 0;
    while (const dirent* entry = ::readdir(dir)) {
        if (same_guid(entry->d_name, guid)) {
            matches.emplace_back(entry->d_name);
        }
        errno = 0;
    }
    const int read_error = errno;
    ::closedir(dir);
    if (read_error != 0) {
        fail(read_error, root_path, "cannot list");
    }
    if (matches.size() > 1) {
        throw TreeError(0, root_path,
                        "two folders in " + root_path.string() + " spell package " +
                            std::string(guid) + ": " + matches[0] + " and " + matches[1]);
    }
    if (matches.empty()) {
        return std::nullopt;
    }
    return matches.front();
}

UniqueFd open_package_folder(int root_fd, const fs::path& root_path, const std::string& name) {
    const fs::path path = root_path / name;
    switch (kind_of(root_fd, root_path, name)) {
        case Kind::directory:
            break;
        case Kind::symlink:
            throw TreeError(0, path,
                            "the package folder " + path.string() +
                                " is a symbolic link: refused, nothing written through it");
        case Kind::missing:
            fail(ENOENT, path, "cannot open");
        default:
            throw TreeError(0, path,
                            "the package folder " + path.string() + " is not a folder: refused");
    }
    // O_NOFOLLOW closes the window between the check above and the open.
    UniqueFd fd(::openat(root_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) {
        if (errno == ELOOP || errno == ENOTDIR) {
            throw TreeError(0, path,
                            "the package folder " + path.string() +
                                " is a symbolic link: refused, nothing written through it");
        }
        fail(errno, path, "cannot open");
    }
    return fd;
}

std::optional<std::string> cache_problem(int package_fd, const fs::path& package_path,
                                         const ManifestPackage& package) {
    if (package.files.empty()) {
        return std::nullopt;
    }
    const fs::path cache_path = package_path / "cache";
    const Kind cache_kind = kind_of(package_fd, package_path, "cache");
    if (cache_kind == Kind::missing) {
        return "the cache folder " + cache_path.string() + " is missing";
    }
    if (cache_kind != Kind::directory) {
        return "the cache folder " + cache_path.string() + " is not a folder";
    }
    UniqueFd cache(::openat(package_fd, "cache", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!cache) {
        return "cannot open " + cache_path.string() + ": " + describe(errno);
    }
    std::string problems;
    const auto add = [&problems](const std::string& problem) {
        problems += (problems.empty() ? "" : "; ") + problem;
    };
    for (const auto& file : package.files) {
        const fs::path path = cache_path / file.name;
        struct stat info {};
        if (::fstatat(cache.get(), file.name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) {
            add(errno == ENOENT ? "cache file " + path.string() + " is missing"
                                : "cannot inspect " + path.string() + ": " + describe(errno));
        } else if (!S_ISREG(info.st_mode)) {
            add("cache file " + path.string() + " is not a regular file");
        } else if (static_cast<std::uint64_t>(info.st_size) != file.size) {
            add("cache file " + path.string() + " has " + std::to_string(info.st_size) +
                " bytes, the manifest says " + std::to_string(file.size));
        }
    }
    if (problems.empty()) {
        return std::nullopt;
    }
    return problems;
}

std::string snapshot_xml(const ManifestPackage& package) {
    std::string xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<snapshot version=\"" +
                      xml_attribute(package.version) + "\">\n";
    for (const auto& file : package.files) {
        xml += "  <file name=\"" + xml_attribute(file.name) + "\" size=\"" +
               std::to_string(file.size) + "\"/>\n";
    }
    xml += "</snapshot>\n";
    return xml;
}

std::string package_status_xml(const ManifestPackage& package) {
    return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<PackageStatus id=\"" +
           xml_attribute(package.guid) + "\" status=\"Ready\" version=\"" +
           xml_attribute(package.version) + "\"/>\n";
}

bool write_file_if_missing(int dir_fd, const fs::path& dir_path, std::string_view name,
                           std::string_view content) {
    const std::string file(name);
    const fs::path path = dir_path / file;
    switch (kind_of(dir_fd, dir_path, file)) {
        case Kind::missing:
            break;
        case Kind::regular:
            return false;
        default:
            throw TreeError(0, path, path.string() + " exists but is not a regular file: refused");
    }
    const std::string temporary = "." + file + ".psguard-sim-" + std::to_string(::getpid());
    {
        // O_EXCL with O_CREAT never follows a link, O_NOFOLLOW says so once more.
        UniqueFd fd(::openat(dir_fd, temporary.c_str(),
                             O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
        if (!fd) {
            fail(errno, path, "cannot create");
        }
        try {
            write_all(fd.get(), content, path);
            if (::fsync(fd.get()) != 0) {
                fail(errno, path, "cannot flush");
            }
        } catch (...) {
            ::unlinkat(dir_fd, temporary.c_str(), 0);
            throw;
        }
    }
    // rename() replaces a name, it never follows one.
    if (::renameat(dir_fd, temporary.c_str(), dir_fd, file.c_str()) != 0) {
        const int error_number = errno;
        ::unlinkat(dir_fd, temporary.c_str(), 0);
        fail(error_number, path, "cannot create");
    }
    return true;
}

bool StatusWrite::denied() const {
    return outcome == Outcome::failed && (error_number == EACCES || error_number == EPERM);
}

nlohmann::json StatusWrite::to_json() const {
    const char* name = outcome == Outcome::present   ? "present"
                       : outcome == Outcome::written ? "written"
                                                     : "failed";
    return {{"outcome", name}, {"errno", error_number}, {"path", path}, {"message", message}};
}

StatusWrite StatusWrite::from_json(const nlohmann::json& value) {
    StatusWrite result;
    const std::string outcome = value.at("outcome").get<std::string>();
    result.outcome = outcome == "present"   ? Outcome::present
                     : outcome == "written" ? Outcome::written
                                            : Outcome::failed;
    result.error_number = value.at("errno").get<int>();
    result.path = value.at("path").get<std::string>();
    result.message = value.at("message").get<std::string>();
    return result;
}

StatusWrite write_package_status(const fs::path& status_root, const ManifestPackage& package) {
    StatusWrite result;
    try {
        const UniqueFd root = open_root(status_root);
        std::optional<std::string> folder =
            find_package_folder(root.get(), status_root, package.guid);
        if (!folder) {
            // A new folder takes the manifest's spelling.
            folder = package.guid;
            if (::mkdirat(root.get(), folder->c_str(), 0755) != 0 && errno != EEXIST) {
                fail(errno, status_root / *folder, "cannot create directory");
            }
        }
        const fs::path folder_path = status_root / *folder;
        const UniqueFd package_fd = open_package_folder(root.get(), status_root, *folder);
        const bool written = write_file_if_missing(package_fd.get(), folder_path,
                                                   kPackageStatusFile, package_status_xml(package));
        result.outcome = written ? StatusWrite::Outcome::written : StatusWrite::Outcome::present;
    } catch (const TreeError& error) {
        result.outcome = StatusWrite::Outcome::failed;
        result.error_number = error.error_number();
        result.path = error.path().string();
        result.message = error.what();
    }
    return result;
}

}  // namespace psguard::simulator
