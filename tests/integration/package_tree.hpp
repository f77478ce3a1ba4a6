// Writes a Package Server tree the way the Symantec agent lays it out: Package Delivery/<GUID>/
// with snapshot.xml and cache/, PackageStatus/<GUID>/PackageStatus.xml.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace psguard::test {

struct TreePackage {
    std::string guid;  // as the folder is named (any case, braces)
    std::string status = "Ready";
    std::string version = "1601867730";
    std::vector<std::pair<std::string, std::uint64_t>> cache_files = {{"setup.exe", 1024}};
    bool element_form = false;  // <Status>..</Status> instead of attributes
};

class PackageTree {
  public:
    explicit PackageTree(std::filesystem::path root);

    const std::filesystem::path& delivery() const { return delivery_; }
    const std::filesystem::path& status() const { return status_; }

    void add(const TreePackage& package) const;
    // Overwrites one package's snapshot.xml with arbitrary bytes.
    void write_snapshot(const std::string& guid, const std::string& bytes) const;

  private:
    std::filesystem::path delivery_;
    std::filesystem::path status_;
};

}  // namespace psguard::test
