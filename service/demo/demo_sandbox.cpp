#include "demo/demo_sandbox.hpp"

#include <array>
#include <cstdio>
#include <fstream>

#include "core/utf8_path.hpp"

namespace psguard::demo {
namespace {

namespace fs = std::filesystem;

constexpr std::array<const char*, 24> kProducts = {"Adobe Acrobat Reader DC",
                                                   "7-Zip 23.01",
                                                   "Notepad++ 8.6",
                                                   "Google Chrome",
                                                   "Mozilla Firefox ESR",
                                                   "Microsoft 365 Apps",
                                                   "VLC 3.0",
                                                   "PuTTY 0.80",
                                                   "WinSCP 6.1",
                                                   "Java Runtime 8u401",
                                                   "Zoom Client",
                                                   "Microsoft Teams",
                                                   "Citrix Workspace",
                                                   "FileZilla Client",
                                                   "Wireshark 4.2",
                                                   "Python 3.12",
                                                   "Git for Windows",
                                                   "Visual C++ Runtime",
                                                   "Cisco AnyConnect",
                                                   "KeePass 2.56",
                                                   "Paint.NET 5",
                                                   "GIMP 2.10",
                                                   "Greenshot 1.2",
                                                   "Sysinternals Suite"};

constexpr std::size_t kStale = 5;
constexpr std::uint64_t kCacheBytes = 4096;

Status write_file(const fs::path& path, const std::string& bytes) {
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
    out.close();
    if (ec || !out) {
        return fail("cannot write " + path_to_utf8(path));
    }
    return {};
}

}  // namespace

std::size_t DemoLayout::stale_count() const {
    std::size_t stale = 0;
    for (const auto& package : packages) {
        stale += package.stale ? 1 : 0;
    }
    return stale;
}

DemoLayout plan_demo(const fs::path& root, std::size_t count) {
    DemoLayout layout;
    layout.root = root;
    layout.delivery = root / "agent" / "Package Delivery";
    layout.status = root / "agent" / "Package Server Agent" / "PackageStatus";
    layout.state = root / "state";
    layout.logs = root / "agent" / "Logs";
    layout.certs = root / "certs";
    count = std::max<std::size_t>(count, kStale + 3);
    for (std::size_t i = 0; i < count; ++i) {
        char guid[64];
        std::snprintf(guid, sizeof(guid), "{6C821F5E-1A2B-4C3D-8E9F-%012zu}", i + 1);
        DemoPackage package;
        package.guid = guid;
        package.name = kProducts[i % kProducts.size()];
        if (i >= kProducts.size()) {
            package.name += " (" + std::to_string(i / kProducts.size() + 1) + ")";
        }
        package.version = std::to_string(1701867730 + i);
        // Spread the failures through the list, as they are on a real server.
        package.stale = i % 7 == 3 && i / 7 < kStale;
        package.status_written = i != count - 1;  // the newest: its status write failed
        layout.packages.push_back(std::move(package));
    }
    return layout;
}

Status write_demo_tree(const DemoLayout& layout) {
    for (const auto& folder : {layout.delivery, layout.status, layout.state, layout.logs}) {
        std::error_code ec;
        fs::create_directories(folder, ec);
        if (ec) {
            return fail("cannot create " + path_to_utf8(folder) + ": " + ec.message());
        }
    }
    for (const auto& package : layout.packages) {
        const fs::path delivery = layout.delivery / package.guid;
        const std::string snapshot =
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<snapshot version=\"" + package.version +
            "\">\n  <file name=\"setup.msi\" size=\"" + std::to_string(kCacheBytes) +
            "\"/>\n</snapshot>\n";
        const std::string status = "<PackageStatus id=\"" + package.guid +
                                   "\" status=\"Ready\" version=\"" + package.version + "\"/>\n";
        const Status nothing_to_write;
        for (const Status& written :
             {write_file(delivery / "cache" / "setup.msi", std::string(kCacheBytes, 'x')),
              write_file(delivery / "snapshot.xml", snapshot),
              package.status_written
                  ? write_file(layout.status / package.guid / "PackageStatus.xml", status)
                  : nothing_to_write}) {
            if (!written) {
                return written;
            }
        }
    }
    return {};
}

nlohmann::json demo_scenario(const DemoLayout& layout) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& package : layout.packages) {
        rows.push_back(
            {{"guid", package.guid},
             {"name", package.name},
             {"status", package.stale || !package.status_written ? "Invalid" : "Ready"},
             {"ns_version", package.version},
             {"reported_version",
              package.status_written ? nlohmann::json(package.version) : nlohmann::json(nullptr)}});
    }
    return {{"server", layout.server},
            {"report_guid", layout.report_guid},
            {"auth", {{"type", "none"}}},
            {"packages", std::move(rows)},
            {"fault", "none"}};
}

nlohmann::json demo_manifest(const DemoLayout& layout) {
    nlohmann::json packages = nlohmann::json::array();
    for (const auto& package : layout.packages) {
        packages.push_back({{"guid", package.guid},
                            {"version", package.version},
                            {"files", {{{"name", "setup.msi"}, {"size", kCacheBytes}}}}});
    }
    return {{"packages", std::move(packages)}};
}

}  // namespace psguard::demo
