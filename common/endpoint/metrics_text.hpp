// Prometheus text exposition format 0.0.4: one "# HELP" and one "# TYPE" line per family, then
// its samples. Generic: what psguard exposes is assembled in status_views.cpp.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace psguard {

inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

enum class MetricType { counter, gauge, untyped };

struct MetricSample {
    std::vector<std::pair<std::string, std::string>> labels;  // name, value (any UTF-8)
    double value = 0;
};

struct MetricFamily {
    std::string name;  // [a-zA-Z_:][a-zA-Z0-9_:]*, counters end in _total
    std::string help;
    MetricType type = MetricType::gauge;
    std::vector<MetricSample> samples;
};

// Backslash, double quote and line feed escaped, as a label value needs.
std::string escape_label_value(std::string_view value);
// Backslash and line feed escaped, as HELP text needs.
std::string escape_help(std::string_view help);
// The shortest text that reads back as the same double; NaN, +Inf, -Inf as Prometheus spells
// them.
std::string format_metric_value(double value);

bool is_valid_metric_name(std::string_view name);
bool is_valid_label_name(std::string_view name);

// A family without samples is left out entirely (a metric psguard cannot know yet is absent,
// not zero). Invalid metric or label names are a programming error: such samples are dropped.
std::string render_metrics(const std::vector<MetricFamily>& families);

}  // namespace psguard
