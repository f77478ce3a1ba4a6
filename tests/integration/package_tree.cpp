#include "integration/package_tree.hpp"

#include <fstream>
#include <stdexcept>

namespace psguard::test {
namespace {

void write_file(const std::filesystem::path& path, const std::string& bytes) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
    if (!out) {
        throw std::runtime_error("cannot write " + path.string());
    }
}

}  // namespace

PackageTree::PackageTree(std::filesystem::path root)
    : delivery_(root / "Package Delivery"),
      status_(root / "Package Server Agent" / "PackageStatus") {
    std::filesystem::create_directories(delivery_);
    std::filesystem::create_directories(status_);
}

void PackageTree::add(const TreePackage& package) const {
    std::string snapshot = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<snapshot version=\"" +
                           package.version + "\">\n";
    for (const auto& [name, size] : package.cache_files) {
        snapshot += "  <file name=\"" + name + "\" size=\"" + std::to_string(size) + "\"/>\n";
        write_file(delivery_ / package.guid / "cache" / name, std::string(size, 'x'));
    }
    snapshot += "</snapshot>\n";
    write_file(delivery_ / package.guid / "snapshot.xml", snapshot);

    const std::string status =
        package.element_form ? "<PackageStatus><Status>" + package.status + "</Status><Version>" +
                                   package.version + "</Version></PackageStatus>\n"
                             : "<PackageStatus id=\"" + package.guid + "\" status=\"" +
                                   package.status + "\" version=\"" + package.version + "\"/>\n";
    write_file(status_ / package.guid / "PackageStatus.xml", status);
}

void PackageTree::write_snapshot(const std::string& guid, const std::string& bytes) const {
    write_file(delivery_ / guid / "snapshot.xml", bytes);
}

}  // namespace psguard::test
