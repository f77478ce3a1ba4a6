#include "tree_generator.hpp"

#include <cctype>
#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace psguard::bench {
namespace {

namespace fs = std::filesystem;

void write_file(const fs::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
        throw std::runtime_error("cannot write " + path.string());
    }
}

// UTF-16 with a BOM, from ASCII text (all the generator writes).
std::string utf16(const std::string& ascii, bool big_endian) {
    std::string out = big_endian ? std::string("\xFE\xFF") : std::string("\xFF\xFE");
    for (const char c : ascii) {
        if (big_endian) {
            out += '\0';
            out += c;
        } else {
            out += c;
            out += '\0';
        }
    }
    return out;
}

enum class Form { utf8_decl, utf8_bare, utf8_bom, utf16_le, utf16_be };

Form form_of(std::size_t i) {
    return static_cast<Form>(i % 5);
}

std::string encode(const std::string& body, Form form) {
    switch (form) {
        case Form::utf8_decl:
            return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + body;
        case Form::utf8_bare:
            return body;
        case Form::utf8_bom:
            return "\xEF\xBB\xBF" + body;
        case Form::utf16_le:
            return utf16("<?xml version=\"1.0\" encoding=\"utf-16\"?>\n" + body, false);
        case Form::utf16_be:
            return utf16(body, true);
    }
    return body;
}

std::string lower(std::string text) {
    for (char& c : text) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return text;
}

}  // namespace

std::string package_guid(std::size_t i) {
    char text[64];
    std::snprintf(text, sizeof(text), "{6C821F5E-%04zX-4000-8000-%012zX}", (i / 7) % 0x10000, i);
    return text;
}

GeneratedTree generate_tree(const fs::path& root, std::size_t packages) {
    GeneratedTree tree;
    tree.delivery = root / "Package Delivery";
    tree.status = root / "Package Server Agent" / "PackageStatus";
    fs::create_directories(tree.delivery);
    fs::create_directories(tree.status);
    for (std::size_t i = 0; i < packages; ++i) {
        const std::string guid = package_guid(i);
        const std::string folder = i % 2 == 0 ? guid : lower(guid);
        tree.folder_names.push_back(folder);
        const bool elements = (i / 2) % 2 == 1;

        const fs::path package_dir = tree.delivery / folder;
        fs::create_directories(package_dir / "cache");
        const std::size_t cache_files = 1 + i % 4;
        std::string files;
        for (std::size_t f = 0; f < cache_files; ++f) {
            const std::string name = f == 3 ? "bin\\tool" + std::to_string(f) + ".dll"
                                            : "file" + std::to_string(f) + ".msi";
            const fs::path on_disk =
                f == 3 ? package_dir / "cache" / "bin" / ("tool" + std::to_string(f) + ".dll")
                       : package_dir / "cache" / name;
            const std::size_t size = 64 + (i * 31 + f * 17) % 448;
            fs::create_directories(on_disk.parent_path());
            write_file(on_disk, std::string(size, 'p'));
            ++tree.files;
            files += elements
                         ? "<File><Name>" + name + "</Name><Size>" + std::to_string(size) +
                               "</Size></File>"
                         : "<file name=\"" + name + "\" size=\"" + std::to_string(size) + "\"/>";
        }
        const std::string snapshot = elements
                                         ? "<Snapshot><Version>" + std::string(kBenchVersion) +
                                               "</Version><Files>" + files + "</Files></Snapshot>\n"
                                         : "<snapshot version=\"" + std::string(kBenchVersion) +
                                               "\">" + files + "</snapshot>\n";
        write_file(package_dir / "snapshot.xml", encode(snapshot, form_of(i)));
        // The agent's other files: read by nobody, but there, as in the field.
        write_file(package_dir / "log.xml", "<log><entry>downloaded</entry></log>\n");
        tree.files += 2;
        tree.xml_files += 2;

        const std::string status =
            elements ? "<PackageStatus><Status>Ready</Status><Version>" +
                           std::string(kBenchVersion) + "</Version></PackageStatus>\n"
                     : "<PackageStatus id=\"" + guid + "\" status=\"Ready\" version=\"" +
                           kBenchVersion + "\"/>\n";
        fs::create_directories(tree.status / folder);
        write_file(tree.status / folder / "PackageStatus.xml", encode(status, form_of(i + 2)));
        ++tree.files;
        ++tree.xml_files;
    }
    return tree;
}

nlohmann::json emulator_scenario(std::size_t packages, const std::string& report_guid) {
    nlohmann::json rows = nlohmann::json::array();
    for (std::size_t i = 0; i < packages; ++i) {
        rows.push_back({{"guid", package_guid(i)},
                        {"name", "Package " + std::to_string(i)},
                        {"status", "Ready"},
                        {"ns_version", kBenchVersion},
                        {"reported_version", kBenchVersion}});
    }
    return {{"server", "PS01"},
            {"report_guid", report_guid},
            {"auth", {{"type", "none"}}},
            {"packages", rows},
            {"fault", "none"}};
}

}  // namespace psguard::bench
