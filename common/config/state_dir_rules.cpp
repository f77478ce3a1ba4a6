#include "config/state_dir_rules.hpp"

#include <system_error>
#include <vector>

#include "core/utf8_path.hpp"
#include "platform/file_links.hpp"

namespace psguard {
namespace {

namespace fs = std::filesystem;

// The path as written and, when it differs, with the links of its existing part resolved.
std::vector<fs::path> spellings(const fs::path& path) {
    std::vector<fs::path> forms = {path.lexically_normal()};
    std::error_code ec;
    const fs::path resolved = fs::weakly_canonical(path, ec);
    if (!ec && resolved.lexically_normal() != forms.front()) {
        forms.push_back(resolved.lexically_normal());
    }
    return forms;
}

// Whether any spelling of `inner` is (or, with `tree`, lies inside) any spelling of `outer`.
bool collides(const fs::path& inner, const fs::path& outer, bool tree) {
    for (const auto& a : spellings(inner)) {
        for (const auto& b : spellings(outer)) {
            if (tree ? path_within(b, a) : same_path(a, b)) {
                return true;
            }
        }
    }
    return false;
}

std::string quoted(const fs::path& path) {
    // '"', not "\"": GCC 12 -O3 warns falsely there (-Wrestrict, GCC bug 105329).
    return '"' + path_to_utf8(path) + '"';
}

}  // namespace

std::optional<std::string> state_dir_problem(const PathsConfig& paths,
                                             std::span<const SystemFolder> system) {
    const fs::path& state = paths.state_dir;
    for (const auto& form : spellings(state)) {
        if (!form.has_relative_path()) {
            return quoted(state) + " is the root of a drive; choose a folder of psguard's own, " +
                   "e.g. the default " + quoted(default_state_dir());
        }
    }
    std::vector<std::pair<std::string, fs::path>> roots = {
        {"paths.package_delivery", paths.package_delivery},
        {"paths.package_status", paths.package_status}};
    for (std::size_t i = 0; i < paths.storage_roots.size(); ++i) {
        roots.emplace_back("paths.storage_roots[" + std::to_string(i) + "]",
                           paths.storage_roots[i]);
    }
    for (const auto& [key, root] : roots) {
        if (!root.empty() && collides(state, root, true)) {
            return quoted(state) + " is " + key + " (" + quoted(root) +
                   ") or inside it: psguard's journal and quarantine would be files of the tree "
                   "it watches, and each of its writes would start a new cycle; choose a folder "
                   "outside every root";
        }
    }
    for (const auto& folder : system) {
        if (collides(state, folder.path, folder.whole_tree)) {
            return quoted(state) + (folder.whole_tree ? " lies in " : " is ") +
                   "the system folder " + quoted(folder.path) +
                   ": psguard keeps its journal, quarantine and lock in a folder of its own; "
                   "choose one, e.g. the default " +
                   quoted(default_state_dir());
        }
    }
    return std::nullopt;
}

}  // namespace psguard
