// Generates a Package Server tree of N packages for the benchmarks, in the forms psguard meets in
// the field: PackageStatus.xml and snapshot.xml as attributes or elements, UTF-8 (with and without
// a BOM, with and without an XML declaration) and UTF-16 LE/BE with a BOM, folder names in either
// case, 1 to 4 cache files per package (some in a subfolder). Deterministic: package i always
// gets the same form, so runs compare.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace psguard::bench {

struct GeneratedTree {
    std::filesystem::path delivery;  // <root>/Package Delivery
    std::filesystem::path status;    // <root>/Package Server Agent/PackageStatus
    std::vector<std::string> folder_names;  // as written, "{GUID}" in the package's case
    std::size_t files = 0;                  // regular files written
    std::size_t xml_files = 0;
};

inline constexpr const char* kBenchVersion = "1601867730";

// "{6C821F5E-0000-4000-8000-000000000042}" for i = 42 (upper case; folder names vary the case).
std::string package_guid(std::size_t i);

// Writes the tree under `root` (created; must not hold another tree).
GeneratedTree generate_tree(const std::filesystem::path& root, std::size_t packages);

// The NS emulator's scenario for that tree: every package Ready at the same version on PS01.
nlohmann::json emulator_scenario(std::size_t packages, const std::string& report_guid);

}  // namespace psguard::bench
