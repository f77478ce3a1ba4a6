// Windows side of the open-folder seam: nothing is held open. An OpenDirectory is its path, and
// every lookup inside it goes by the whole path (the parent's joined with the name), exactly as
// the callers did before the seam existed: the same answers and messages, but neither the
// one-component lookups nor the closed window between checking a folder and reading inside it
// that the POSIX side gives. (A directory HANDLE with NtCreateFile relative to it would give
// both; not needed yet: the cost was measured on Linux.)
#include <system_error>
#include <utility>

#include "core/utf8_path.hpp"
#include "platform/directory_handle.hpp"
#include "platform/file_links.hpp"

namespace psguard {
namespace fs = std::filesystem;

// Makes OpenDirectory values (the class's one friend).
struct OpenDirectoryAccess {
    // The folder at `path` as probe_entry sees it; opened (kept) when it is a plain folder.
    static Result<std::optional<OpenedEntry>> probe_as_folder(fs::path path) {
        auto probed = probe_entry(path);
        if (!probed) {
            return probed.error();
        }
        if (!probed.value()) {
            return std::optional<OpenedEntry>{};
        }
        const EntryInfo& info = *probed.value();
        if (info.link != LinkKind::none || !info.is_directory) {
            return std::optional<OpenedEntry>{OpenedEntry{info, std::nullopt}};
        }
        return std::optional<OpenedEntry>{OpenedEntry{info, OpenDirectory(std::move(path))}};
    }
};

Result<std::optional<OpenedEntry>> open_directory(const fs::path& path) {
    return OpenDirectoryAccess::probe_as_folder(path);
}

Result<std::optional<OpenedEntry>> open_directory_at(const OpenDirectory& parent,
                                                     const fs::path& name) {
    fs::path path = parent.child_path(name);
    if (!is_single_file_name(name)) {
        return fail(not_single_name_message(path));
    }
    return OpenDirectoryAccess::probe_as_folder(std::move(path));
}

Result<std::vector<fs::path>> list_directory(const OpenDirectory& dir) {
    std::error_code ec;
    fs::directory_iterator it(dir.path(), fs::directory_options::none, ec);
    std::vector<fs::path> names;
    const fs::directory_iterator end;
    while (!ec && it != end) {
        names.push_back(it->path().filename());
        it.increment(ec);
    }
    if (ec) {
        return fail("cannot list " + path_to_utf8(dir.path()) + ": " + ec.message());
    }
    return names;
}

}  // namespace psguard
