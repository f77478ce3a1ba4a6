// The folders a directory watcher watches, by watch descriptor: each folder as its name under
// its parent's watch, the names packed in one buffer. A Package Server with 10,000 packages has
// about 30,000 watched folders (package folders and their cache folders) for as long as the
// agent runs: 20 bytes and the name's characters each, where a map of paths cost ten times that.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace psguard {

class WatchTable {
  public:
    static constexpr int kNoParent = -1;

    // `name` is a root's whole path (parent kNoParent), else the folder's name in its parent.
    // A descriptor already in the table is replaced (the kernel reuses a removed one).
    void add(int wd, int parent, int depth, const std::filesystem::path::string_type& name);
    void remove(int wd);

    bool contains(int wd) const { return find(wd) != nullptr; }
    std::optional<int> depth_of(int wd) const;
    // The folder's path from its root down; nullopt when `wd` is unknown or a folder above it
    // is no longer watched (moved or deleted: the path is unknown).
    std::optional<std::filesystem::path> folder_of(int wd) const;
    bool has_root(const std::filesystem::path& root) const;
    std::size_t size() const noexcept { return entries_.size(); }
    // After a whole tree is watched: the buffers grew by doubling, and are kept for the agent's
    // life (a third of 1.8 MB unused with 30,000 folders).
    void shrink_to_fit() {
        entries_.shrink_to_fit();
        names_.shrink_to_fit();
    }

  private:
    struct Entry {
        int wd = 0;
        int parent = kNoParent;
        std::uint32_t name_offset = 0;
        std::uint32_t name_length = 0;
        int depth = 0;
    };
    using Char = std::filesystem::path::value_type;
    using NameView = std::basic_string_view<Char>;

    std::vector<Entry>::const_iterator lower(int wd) const;  // the first entry not below `wd`
    const Entry* find(int wd) const;
    NameView name_of(const Entry& entry) const {
        return NameView(names_).substr(entry.name_offset, entry.name_length);
    }
    // Names of removed folders stay in names_ until they are half of it: then it is rebuilt.
    void drop_unused_names();

    // Sorted by descriptor; the kernel hands out increasing ones, so adding appends.
    std::vector<Entry> entries_;
    std::filesystem::path::string_type names_;
    std::size_t unused_name_chars_ = 0;
};

}  // namespace psguard
