// Strict, path-aware reading of a JSON object: every problem is recorded with the JSON path
// that caused it ("ns.timeout_seconds: expected an integer from 1 to 600, got \"abc\""), and
// keys the reader never asked for are reported as unknown when the object is finished.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace psguard {

class ConfigErrors {
  public:
    void add(std::string path, std::string problem);
    bool empty() const { return lines_.empty(); }
    // One problem per line, each prefixed by `origin` (the file name).
    std::string format(std::string_view origin) const;

  private:
    std::vector<std::string> lines_;
};

class JsonObjectReader {
  public:
    // `value` may be null (section absent): then every read returns nullopt.
    JsonObjectReader(const nlohmann::json* value, std::string path, ConfigErrors& errors);
    JsonObjectReader(const JsonObjectReader&) = delete;
    JsonObjectReader& operator=(const JsonObjectReader&) = delete;
    ~JsonObjectReader();

    bool present() const { return object_ != nullptr; }
    std::string child_path(std::string_view key) const;

    std::optional<std::string> string(std::string_view key, bool allow_empty = false);
    std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max);
    std::optional<bool> boolean(std::string_view key);
    std::optional<std::filesystem::path> absolute_path(std::string_view key);
    std::optional<std::vector<std::string>> string_list(std::string_view key);
    // A list of strings, or one string standing for a list of one.
    std::optional<std::vector<std::string>> string_or_list(std::string_view key);
    // One of `choices`, compared exactly.
    std::optional<std::string> choice(std::string_view key,
                                      const std::vector<std::string_view>& choices);
    // A nested object, or null when absent (an error is recorded when it is not an object).
    const nlohmann::json* object(std::string_view key);
    // A reader for a nested object (absent -> a reader whose reads all return nullopt).
    JsonObjectReader section(std::string_view key) {
        return JsonObjectReader(object(key), child_path(key), errors_);
    }

    void error(std::string_view key, std::string problem);
    // A problem with the object itself (absent when required, ...).
    void error_here(std::string problem) { errors_.add(path_, std::move(problem)); }

  private:
    const nlohmann::json* lookup(std::string_view key);
    void report_unknown_keys();

    const nlohmann::json* object_;
    std::string path_;
    ConfigErrors& errors_;
    std::set<std::string, std::less<>> seen_;
};

}  // namespace psguard
