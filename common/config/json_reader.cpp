#include "config/json_reader.hpp"

#include "core/utf8_path.hpp"

namespace psguard {
namespace {

// Enough of the offending value to recognise it, never more (it could be long or binary).
std::string value_excerpt(const nlohmann::json& value) {
    std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    constexpr std::size_t kMax = 60;
    if (text.size() > kMax) {
        text = text.substr(0, kMax) + "...";
    }
    return text;
}

const char* type_name(const nlohmann::json& value) {
    return value.type_name();
}

}  // namespace

void ConfigErrors::add(std::string path, std::string problem) {
    lines_.push_back(path.empty() ? std::move(problem) : path + ": " + problem);
}

std::string ConfigErrors::format(std::string_view origin) const {
    std::string text;
    for (const auto& line : lines_) {
        if (!text.empty()) {
            text += '\n';
        }
        text.append(origin).append(": ").append(line);
    }
    return text;
}

JsonObjectReader::JsonObjectReader(const nlohmann::json* value, std::string path,
                                   ConfigErrors& errors)
    : object_(value), path_(std::move(path)), errors_(errors) {
    if (object_ != nullptr && !object_->is_object()) {
        errors_.add(path_.empty() ? "(top level)" : path_,
                    std::string("expected an object, got ") + type_name(*object_));
        object_ = nullptr;
    }
}

JsonObjectReader::~JsonObjectReader() {
    report_unknown_keys();
}

std::string JsonObjectReader::child_path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void JsonObjectReader::error(std::string_view key, std::string problem) {
    errors_.add(child_path(key), std::move(problem));
}

const nlohmann::json* JsonObjectReader::lookup(std::string_view key) {
    seen_.emplace(key);
    if (object_ == nullptr) {
        return nullptr;
    }
    const auto it = object_->find(key);
    if (it == object_->end() || it->is_null()) {
        return nullptr;
    }
    return &*it;
}

std::optional<std::string> JsonObjectReader::string(std::string_view key, bool allow_empty) {
    const auto* value = lookup(key);
    if (value == nullptr) {
        return std::nullopt;
    }
    if (!value->is_string()) {
        error(key, "expected a string, got " + value_excerpt(*value));
        return std::nullopt;
    }
    auto text = value->get<std::string>();
    if (text.empty() && !allow_empty) {
        error(key, "must not be empty");
        return std::nullopt;
    }
    return text;
}

std::optional<std::int64_t> JsonObjectReader::integer(std::string_view key, std::int64_t min,
                                                      std::int64_t max) {
    const auto* value = lookup(key);
    if (value == nullptr) {
        return std::nullopt;
    }
    const std::string expected =
        "expected an integer from " + std::to_string(min) + " to " + std::to_string(max);
    if (!value->is_number_integer()) {
        error(key, expected + ", got " + value_excerpt(*value));
        return std::nullopt;
    }
    if (value->is_number_unsigned() &&
        value->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
        error(key, expected + ", got " + value_excerpt(*value));
        return std::nullopt;
    }
    const auto number = value->get<std::int64_t>();
    if (number < min || number > max) {
        error(key, expected + ", got " + value_excerpt(*value));
        return std::nullopt;
    }
    return number;
}

std::optional<bool> JsonObjectReader::boolean(std::string_view key) {
    const auto* value = lookup(key);
    if (value == nullptr) {
        return std::nullopt;
    }
    if (!value->is_boolean()) {
        error(key, "expected true or false, got " + value_excerpt(*value));
        return std::nullopt;
    }
    return value->get<bool>();
}

std::optional<std::filesystem::path> JsonObjectReader::absolute_path(std::string_view key) {
    auto text = string(key);
    if (!text) {
        return std::nullopt;
    }
    if (text->find('\0') != std::string::npos) {
        error(key, "a path must not contain NUL characters");
        return std::nullopt;
    }
    auto path = utf8_to_path(*text);
    if (!path.is_absolute()) {
        error(key, "expected an absolute path, got \"" + *text + "\"");
        return std::nullopt;
    }
    return path.lexically_normal();
}

std::optional<std::vector<std::string>> JsonObjectReader::string_or_list(std::string_view key) {
    const auto* value = lookup(key);
    if (value != nullptr && value->is_string()) {
        if (auto text = string(key)) {
            return std::vector<std::string>{*text};
        }
        return std::nullopt;
    }
    return string_list(key);
}

std::optional<std::vector<std::string>> JsonObjectReader::string_list(std::string_view key) {
    const auto* value = lookup(key);
    if (value == nullptr) {
        return std::nullopt;
    }
    if (!value->is_array()) {
        error(key, "expected a list of strings, got " + value_excerpt(*value));
        return std::nullopt;
    }
    std::vector<std::string> items;
    for (std::size_t i = 0; i < value->size(); ++i) {
        const auto& item = (*value)[i];
        if (!item.is_string() || item.get<std::string>().empty()) {
            errors_.add(child_path(key) + "[" + std::to_string(i) + "]",
                        "expected a non-empty string, got " + value_excerpt(item));
            return std::nullopt;
        }
        items.push_back(item.get<std::string>());
    }
    return items;
}

std::optional<std::string> JsonObjectReader::choice(std::string_view key,
                                                    const std::vector<std::string_view>& choices) {
    auto text = string(key);
    if (!text) {
        return std::nullopt;
    }
    for (auto candidate : choices) {
        if (*text == candidate) {
            return text;
        }
    }
    std::string list;
    for (auto candidate : choices) {
        list += list.empty() ? "" : ", ";
        // '"', not "\"": GCC 12 -O3 warns falsely there (-Wrestrict, GCC bug 105329).
        list += '"' + std::string(candidate) + '"';
    }
    error(key, "expected one of " + list + ", got \"" + *text + "\"");
    return std::nullopt;
}

const nlohmann::json* JsonObjectReader::object(std::string_view key) {
    const auto* value = lookup(key);
    if (value != nullptr && !value->is_object()) {
        error(key, std::string("expected an object, got ") + value_excerpt(*value));
        return nullptr;
    }
    return value;
}

void JsonObjectReader::report_unknown_keys() {
    if (object_ == nullptr) {
        return;
    }
    for (const auto& [key, value] : object_->items()) {
        if (!seen_.contains(key)) {
            errors_.add(child_path(key),
                        "unknown key (check its spelling and placement; see "
                        "docs/configuration.md)");
        }
    }
}

}  // namespace psguard
