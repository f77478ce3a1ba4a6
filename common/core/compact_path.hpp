// A filesystem path kept as its native string alone, for values kept per package between
// cycles. std::filesystem::path also keeps its parsed components (libstdc++: about 330 bytes for
// a package folder's path, measured with heaptrack); this converts to one where it is used.
#pragma once

#include <filesystem>

namespace psguard {

class CompactPath {
  public:
    CompactPath() = default;
    CompactPath(const std::filesystem::path& path) : native_(path.native()) {}  // NOLINT: a path

    operator std::filesystem::path() const { return path(); }  // NOLINT: used as a path
    std::filesystem::path path() const { return std::filesystem::path(native_); }
    const std::filesystem::path::string_type& native() const noexcept { return native_; }
    bool empty() const noexcept { return native_.empty(); }
    void clear() noexcept { native_.clear(); }

    // Comparison with a path goes through std::filesystem::path's own operator== (one
    // conversion); a second one here would make `compact == path` ambiguous.
    friend std::filesystem::path operator/(const CompactPath& base,
                                           const std::filesystem::path& more) {
        return base.path() / more;
    }

  private:
    std::filesystem::path::string_type native_;
};

}  // namespace psguard
