// The demo's Package Server: a few dozen packages laid out as the Symantec agent does, what the
// NS believes of them (the emulator's scenario) and what the agent knows it must hold (the
// simulator's manifest). Most packages are fine; a handful are Ready here but Invalid on the
// NS (the KB's failure), and the newest one arrived but its status could not be written.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"

namespace psguard::demo {

struct DemoPackage {
    std::string guid;  // braced, upper case, as the agent names folders
    std::string name;
    std::string version;
    bool stale = false;          // Ready here, Invalid on the NS
    bool status_written = true;  // false: downloaded, but no PackageStatus folder yet
};

struct DemoLayout {
    std::filesystem::path root;
    std::filesystem::path delivery;  // root/agent/Package Delivery
    std::filesystem::path status;    // root/agent/Package Server Agent/PackageStatus
    std::filesystem::path state;
    std::filesystem::path logs;  // the agent's log folder (evidence)
    std::filesystem::path certs;
    std::string server = "PS01";
    std::string report_guid = "{a1b2c3d4-0000-4000-8000-000000000001}";
    std::vector<DemoPackage> packages;

    std::size_t stale_count() const;
};

// `count` packages (at least 8): up to 5 stale, the newest without its status, the rest Ready on
// both sides.
DemoLayout plan_demo(const std::filesystem::path& root, std::size_t count);

// Writes the package folders (snapshot.xml, cache files, PackageStatus.xml where written) and
// the empty state and log folders.
Status write_demo_tree(const DemoLayout& layout);

nlohmann::json demo_scenario(const DemoLayout& layout);  // for psguard-ns-emulator serve
nlohmann::json demo_manifest(const DemoLayout& layout);  // for psguard-ps-simulator refresh

}  // namespace psguard::demo
