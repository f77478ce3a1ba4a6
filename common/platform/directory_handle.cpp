#include "platform/directory_handle.hpp"

#include <system_error>

#include "core/utf8_path.hpp"

namespace psguard {

namespace fs = std::filesystem;

Result<std::vector<fs::path>> list_folder_names(const fs::path& path) {
    std::error_code ec;
    fs::directory_iterator it(path, fs::directory_options::none, ec);
    std::vector<fs::path> names;
    const fs::directory_iterator end;
    while (!ec && it != end) {
        names.push_back(it->path().filename());
        it.increment(ec);
    }
    if (ec) {
        return fail("cannot list " + path_to_utf8(path) + ": " + ec.message());
    }
    return names;
}

std::optional<Result<std::optional<OpenedEntry>>> answer_unless_plain_folder(
    const Result<std::optional<EntryInfo>>& probed) {
    using Answer = Result<std::optional<OpenedEntry>>;
    if (!probed) {
        return Answer(probed.error());
    }
    if (!probed.value()) {
        return Answer(std::optional<OpenedEntry>{});
    }
    const EntryInfo& info = *probed.value();
    if (info.link != LinkKind::none || !info.is_directory) {
        return Answer(std::optional<OpenedEntry>{OpenedEntry{info, std::nullopt}});
    }
    return std::nullopt;
}

}  // namespace psguard
