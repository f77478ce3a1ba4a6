#include "manifest.hpp"

#include <cctype>
#include <fstream>
#include <sstream>

namespace psguard::simulator {
namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& where, const std::string& what) {
    throw ManifestError("manifest: " + where + ": " + what);
}

void only_keys(const json& object, const std::string& where,
               std::initializer_list<std::string_view> allowed) {
    for (const auto& item : object.items()) {
        bool known = false;
        for (const auto key : allowed) {
            known = known || item.key() == key;
        }
        if (!known) {
            bad(where, "unknown key \"" + item.key() + "\"");
        }
    }
}

bool is_plain_file_name(std::string_view name) {
    if (name.empty() || name == "." || name == ".." || name.size() > 255) {
        return false;
    }
    for (const char c : name) {
        if (c == '/' || c == '\0' || c == '\\') {
            return false;
        }
    }
    return true;
}

std::string version_of(const json& value, const std::string& where) {
    std::string version;
    if (value.is_string()) {
        version = value.get<std::string>();
    } else if (value.is_number_unsigned()) {
        version = value.dump();
    } else {
        bad(where, "\"version\" must be a string of digits or a non-negative integer");
    }
    if (version.empty() || version.size() > 20) {
        bad(where, "\"version\" must hold 1 to 20 digits");
    }
    for (const char c : version) {
        if (std::isdigit(static_cast<unsigned char>(c)) == 0) {
            bad(where, "\"version\" must hold digits only, not \"" + version + "\"");
        }
    }
    return version;
}

ManifestFile parse_file(const json& value, const std::string& where) {
    if (!value.is_object()) {
        bad(where, "expected an object {\"name\", \"size\"}");
    }
    only_keys(value, where, {"name", "size"});
    if (!value.contains("name") || !value["name"].is_string()) {
        bad(where, "\"name\" must be a string");
    }
    if (!value.contains("size") || !value["size"].is_number_unsigned()) {
        bad(where, "\"size\" must be a non-negative integer");
    }
    ManifestFile file{value["name"].get<std::string>(), value["size"].get<std::uint64_t>()};
    if (!is_plain_file_name(file.name)) {
        bad(where, "\"" + file.name + "\" is not a plain file name");
    }
    return file;
}

ManifestPackage parse_package(const json& value, const std::string& where) {
    if (!value.is_object()) {
        bad(where, "expected an object {\"guid\", \"version\", \"files\"}");
    }
    only_keys(value, where, {"guid", "version", "files"});
    if (!value.contains("guid") || !value["guid"].is_string()) {
        bad(where, "\"guid\" must be a string");
    }
    ManifestPackage package;
    package.guid = value["guid"].get<std::string>();
    if (!is_braced_guid(package.guid)) {
        bad(where, "\"" + package.guid + "\" is not a GUID in braces");
    }
    if (!value.contains("version")) {
        bad(where, "\"version\" is missing");
    }
    package.version = version_of(value["version"], where);
    if (value.contains("files")) {
        const json& files = value["files"];
        if (!files.is_array()) {
            bad(where, "\"files\" must be an array");
        }
        for (std::size_t i = 0; i < files.size(); ++i) {
            ManifestFile file = parse_file(files[i], where + ".files[" + std::to_string(i) + "]");
            for (const auto& other : package.files) {
                if (other.name == file.name) {
                    bad(where, "file \"" + file.name + "\" is listed twice");
                }
            }
            package.files.push_back(std::move(file));
        }
    }
    return package;
}

}  // namespace

bool is_braced_guid(std::string_view text) {
    if (text.size() != 38 || text.front() != '{' || text.back() != '}') {
        return false;
    }
    for (std::size_t i = 1; i < 37; ++i) {
        const std::size_t at = i - 1;  // position inside the bare GUID
        const char c = text[i];
        if (at == 8 || at == 13 || at == 18 || at == 23) {
            if (c != '-') {
                return false;
            }
        } else if (std::isxdigit(static_cast<unsigned char>(c)) == 0) {
            return false;
        }
    }
    return true;
}

bool same_guid(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

Manifest parse_manifest(const json& document) {
    if (!document.is_object()) {
        bad("top level", "expected an object {\"packages\": [...]}");
    }
    only_keys(document, "top level", {"packages"});
    if (!document.contains("packages") || !document["packages"].is_array()) {
        bad("top level", "\"packages\" must be an array");
    }
    Manifest manifest;
    const json& packages = document["packages"];
    for (std::size_t i = 0; i < packages.size(); ++i) {
        ManifestPackage package = parse_package(packages[i], "packages[" + std::to_string(i) + "]");
        for (const auto& other : manifest.packages) {
            if (same_guid(other.guid, package.guid)) {
                bad("packages[" + std::to_string(i) + "]",
                    "package " + package.guid + " is listed twice");
            }
        }
        manifest.packages.push_back(std::move(package));
    }
    return manifest;
}

Manifest load_manifest(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw ManifestError("cannot read the manifest " + file.string());
    }
    std::stringstream text;
    text << in.rdbuf();
    json document;
    try {
        document = json::parse(text.str());
    } catch (const json::parse_error& error) {
        throw ManifestError("manifest " + file.string() + " is not JSON: " + error.what());
    }
    return parse_manifest(document);
}

}  // namespace psguard::simulator
