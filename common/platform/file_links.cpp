#include "platform/file_links.hpp"

#include <vector>

namespace psguard {
namespace {

std::vector<std::filesystem::path> components(const std::filesystem::path& path) {
    std::vector<std::filesystem::path> parts;
    for (const auto& part : path.lexically_normal()) {
        if (!part.empty()) {
            parts.push_back(part);
        }
    }
    return parts;
}

}  // namespace

bool path_within(const std::filesystem::path& path, const std::filesystem::path& folder) {
    const auto inner = components(path);
    const auto outer = components(folder);
    if (outer.empty() || inner.size() < outer.size()) {
        return false;
    }
    for (std::size_t i = 0; i < outer.size(); ++i) {
        if (!same_file_name(inner[i], outer[i])) {
            return false;
        }
    }
    return true;
}

}  // namespace psguard
