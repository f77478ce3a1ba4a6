// The agent's own knowledge of what it must hold: the packages the NS assigned to this Package
// Server, each with its version and the files its cache must contain.
//   {"packages": [{"guid": "{...}", "version": "1601867730",
//                  "files": [{"name": "setup.exe", "size": 2048}]}]}
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace psguard::simulator {

struct ManifestFile {
    std::string name;  // a plain file name inside the package's cache/ folder
    std::uint64_t size = 0;
};

struct ManifestPackage {
    std::string guid;     // braced, as the manifest spells it (the case new folders get)
    std::string version;  // decimal digits
    std::vector<ManifestFile> files;
};

struct Manifest {
    std::vector<ManifestPackage> packages;
};

// A manifest that cannot be used: a usage error for the command line.
class ManifestError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" with hex digits in any case, nothing else. Only such
// names are ever used as folder names, so no path can leave the tree.
bool is_braced_guid(std::string_view text);

// Two GUIDs (or folder names) equal when ASCII case is ignored.
bool same_guid(std::string_view a, std::string_view b);

// Throws ManifestError on anything unexpected: unknown keys, wrong types, bad GUIDs, versions
// that are not decimal, file names that are not plain names, duplicate packages or files.
Manifest parse_manifest(const nlohmann::json& document);
Manifest load_manifest(const std::filesystem::path& file);

}  // namespace psguard::simulator
