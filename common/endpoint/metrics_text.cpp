#include "endpoint/metrics_text.hpp"

#include <array>
#include <charconv>
#include <cmath>

namespace psguard {
namespace {

bool is_name_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool is_name_char(char c) {
    return is_name_start(c) || (c >= '0' && c <= '9');
}

std::string_view metric_type_name(MetricType type) {
    switch (type) {
        case MetricType::counter:
            return "counter";
        case MetricType::gauge:
            return "gauge";
        case MetricType::untyped:
            break;
    }
    return "untyped";
}

}  // namespace

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '"':
                out += "\\\"";
                break;
            case '\n':
                out += "\\n";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string escape_help(std::string_view help) {
    std::string out;
    out.reserve(help.size());
    for (const char c : help) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

std::string format_metric_value(double value) {
    if (std::isnan(value)) {
        return "NaN";
    }
    if (std::isinf(value)) {
        return value > 0 ? "+Inf" : "-Inf";
    }
    std::array<char, 64> text{};
    const auto [end, ec] = std::to_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc()) {
        return "NaN";  // cannot happen with 64 characters; keeps the output parseable anyway
    }
    return std::string(text.data(), end);
}

bool is_valid_metric_name(std::string_view name) {
    if (name.empty() || !(is_name_start(name.front()) || name.front() == ':')) {
        return false;
    }
    for (const char c : name) {
        if (!is_name_char(c) && c != ':') {
            return false;
        }
    }
    return true;
}

bool is_valid_label_name(std::string_view name) {
    if (name.empty() || !is_name_start(name.front()) || name.starts_with("__")) {
        return false;
    }
    for (const char c : name) {
        if (!is_name_char(c)) {
            return false;
        }
    }
    return true;
}

std::string render_metrics(const std::vector<MetricFamily>& families) {
    std::string out;
    for (const auto& family : families) {
        if (family.samples.empty() || !is_valid_metric_name(family.name)) {
            continue;
        }
        out += "# HELP " + family.name + ' ' + escape_help(family.help) + '\n';
        out += "# TYPE " + family.name + ' ' + std::string(metric_type_name(family.type)) + '\n';
        for (const auto& sample : family.samples) {
            std::string labels;
            bool valid = true;
            for (const auto& [name, value] : sample.labels) {
                valid = valid && is_valid_label_name(name);
                labels +=
                    (labels.empty() ? "" : ",") + name + "=\"" + escape_label_value(value) + '"';
            }
            if (!valid) {
                continue;
            }
            out += family.name;
            if (!labels.empty()) {
                out += '{' + labels + '}';
            }
            out += ' ' + format_metric_value(sample.value) + '\n';
        }
    }
    return out;
}

}  // namespace psguard
