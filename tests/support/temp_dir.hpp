// A private temporary folder that disappears with the object.
#pragma once

#include <filesystem>
#include <string>

namespace psguard::test {

class TempDir {
  public:
    explicit TempDir(const std::string& prefix = "psguard-test");
    ~TempDir();
    TempDir(TempDir&& other) noexcept;
    TempDir& operator=(TempDir&& other) noexcept;
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::filesystem::path& child) const {
        return path_ / child;
    }

  private:
    void remove() noexcept;

    std::filesystem::path path_;
};

}  // namespace psguard::test
