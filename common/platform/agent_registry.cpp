#include "platform/agent_registry.hpp"

#include "core/ascii.hpp"
#include "core/utf8_path.hpp"

namespace psguard {
namespace fs = std::filesystem;

std::optional<fs::path> agent_install_dir_from(const AgentRegistry& registry) {
    return registry.install_dir_64 ? registry.install_dir_64 : registry.install_dir_32;
}

std::optional<fs::path> agent_log_dir_from(const AgentRegistry& registry) {
    std::optional<fs::path> value =
        registry.log_path_64 ? registry.log_path_64 : registry.log_path_32;
    if (!value) {
        return std::nullopt;
    }
    // "C:\...\Logs\" and "C:\...\Logs" name the same folder; a value naming a .log file
    // gives its folder. Both separators, so that a Windows value reads the same everywhere.
    std::string text = path_to_utf8(*value);
    const auto trim_separators = [&text] {
        while (text.size() > 3 && (text.back() == '\\' || text.back() == '/')) {
            text.pop_back();
        }
    };
    trim_separators();
    const auto last = text.find_last_of("\\/");
    if (last != std::string::npos && ascii_lower(text).ends_with(".log")) {
        text.resize(last + 1);
        trim_separators();
    }
    if (text.empty()) {
        return std::nullopt;
    }
    fs::path folder = utf8_to_path(text);
    return folder;
}

std::vector<std::pair<std::string, std::string>> describe(const AgentRegistry& registry) {
    const std::string key = "HKLM\\" + registry.key + "\\";
    const std::string log = key + std::string(kAgentLogSubkey) + "\\FilePath";
    const auto row = [](std::string name, const std::optional<fs::path>& value) {
        return std::pair{std::move(name), value ? path_to_utf8(*value) : std::string("(absent)")};
    };
    return {row(key + "InstallDir (64-bit view)", registry.install_dir_64),
            row(key + "InstallDir (32-bit view)", registry.install_dir_32),
            row(log + " (64-bit view)", registry.log_path_64),
            row(log + " (32-bit view)", registry.log_path_32)};
}

}  // namespace psguard
