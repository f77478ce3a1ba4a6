#include "platform/watch_table.hpp"

#include <algorithm>

namespace psguard {
namespace {

// Rebuilding the names costs one pass over them; below this many unused characters it waits.
constexpr std::size_t kMinUnusedNameChars = 64 * 1024;

}  // namespace

std::vector<WatchTable::Entry>::const_iterator WatchTable::lower(int wd) const {
    return std::lower_bound(entries_.begin(), entries_.end(), wd,
                            [](const Entry& entry, int key) { return entry.wd < key; });
}

const WatchTable::Entry* WatchTable::find(int wd) const {
    const auto it = lower(wd);
    return it != entries_.end() && it->wd == wd ? &*it : nullptr;
}

void WatchTable::add(int wd, int parent, int depth,
                     const std::filesystem::path::string_type& name) {
    remove(wd);
    Entry entry{wd, parent, static_cast<std::uint32_t>(names_.size()),
                static_cast<std::uint32_t>(name.size()), depth};
    names_ += name;
    entries_.insert(lower(wd), entry);
}

void WatchTable::remove(int wd) {
    const auto it = lower(wd);
    if (it == entries_.end() || it->wd != wd) {
        return;
    }
    unused_name_chars_ += it->name_length;
    entries_.erase(it);
    drop_unused_names();
}

void WatchTable::drop_unused_names() {
    if (unused_name_chars_ < kMinUnusedNameChars || unused_name_chars_ * 2 < names_.size()) {
        return;
    }
    std::filesystem::path::string_type kept;
    kept.reserve(names_.size() - unused_name_chars_);
    for (Entry& entry : entries_) {
        const NameView name = name_of(entry);
        entry.name_offset = static_cast<std::uint32_t>(kept.size());
        kept.append(name);
    }
    names_ = std::move(kept);
    unused_name_chars_ = 0;
}

std::optional<int> WatchTable::depth_of(int wd) const {
    const Entry* entry = find(wd);
    return entry ? std::optional<int>(entry->depth) : std::nullopt;
}

std::optional<std::filesystem::path> WatchTable::folder_of(int wd) const {
    const Entry* entry = find(wd);
    if (entry == nullptr) {
        return std::nullopt;
    }
    std::optional<std::filesystem::path> folder = entry->parent == kNoParent
                                                      ? std::filesystem::path(name_of(*entry))
                                                      : folder_of(entry->parent);
    if (folder && entry->parent != kNoParent) {
        *folder /= name_of(*entry);
    }
    return folder;
}

bool WatchTable::has_root(const std::filesystem::path& root) const {
    return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& entry) {
        return entry.parent == kNoParent && name_of(entry) == NameView(root.native());
    });
}

}  // namespace psguard
