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
        if (auto answer = answer_unless_plain_folder(probed)) {
            return std::move(*answer);
        }
        return std::optional<OpenedEntry>{
            OpenedEntry{*probed.value(), OpenDirectory(std::move(path))}};
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
    return list_folder_names(dir.path());
}

}  // namespace psguard
