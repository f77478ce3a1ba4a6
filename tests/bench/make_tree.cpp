// psguard-bench-tree DIR PACKAGES [REPORT_GUID]: writes the benchmark tree (tree_generator.hpp)
// under DIR and, beside it, DIR/scenario.json, the NS emulator's scenario for it. Prints the
// number of files and XML files written.
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <string>

#include "tree_generator.hpp"

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: psguard-bench-tree DIR PACKAGES [REPORT_GUID]\n";
        return 2;
    }
    try {
        const std::filesystem::path root = argv[1];
        const std::size_t packages = std::stoul(argv[2]);
        const std::string report_guid =
            argc > 3 ? argv[3] : "{a1b2c3d4-0000-4000-8000-000000000001}";
        const auto tree = psguard::bench::generate_tree(root, packages);
        std::ofstream(root / "scenario.json")
            << psguard::bench::emulator_scenario(packages, report_guid).dump();
        std::cout << "packages=" << packages << " files=" << tree.files
                  << " xml_files=" << tree.xml_files << "\n";
        return 0;
    } catch (const std::exception& error) {
        std::cerr << "psguard-bench-tree: " << error.what() << "\n";
        return 1;
    }
}
