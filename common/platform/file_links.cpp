#include "platform/file_links.hpp"

#include <vector>

#include "core/utf8_path.hpp"

namespace psguard {

namespace fs = std::filesystem;

std::vector<fs::path> path_components(const fs::path& path) {
    std::vector<fs::path> parts;
    for (const auto& part : path.lexically_normal()) {
        if (!part.empty()) {
            parts.push_back(part);
        }
    }
    return parts;
}

bool path_within(const fs::path& root, const fs::path& path) {
    const auto outer = path_components(root);
    const auto inner = path_components(path);
    if (outer.empty() || inner.size() < outer.size()) {
        return false;
    }
    for (std::size_t i = 0; i < outer.size(); ++i) {
        if (!same_file_name(outer[i], inner[i])) {
            return false;
        }
    }
    return true;
}

bool same_path(const fs::path& a, const fs::path& b) {
    return path_components(a).size() == path_components(b).size() && path_within(a, b);
}

bool is_single_file_name(const fs::path& name) {
    return !name.empty() && !name.has_root_path() && !name.has_parent_path() && name != "." &&
           name != "..";
}

std::string not_single_name_message(const fs::path& path) {
    return path_to_utf8(path) + ": not a single file name";
}

std::string over_cap_message(std::uint64_t size, std::uint64_t max_bytes) {
    return "file is " + std::to_string(size) + " bytes, over the " + std::to_string(max_bytes) +
           "-byte cap";
}

}  // namespace psguard
