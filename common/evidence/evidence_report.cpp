#include "evidence/evidence_report.hpp"

#include <algorithm>
#include <utility>

namespace psguard {

std::string bound_message(std::string_view message) {
    if (message.size() <= kMaxEvidenceMessageBytes) {
        return std::string(message);
    }
    std::size_t cut = kMaxEvidenceMessageBytes - 3;
    while (cut > 0 && (static_cast<unsigned char>(message[cut]) & 0xC0) == 0x80) {
        --cut;  // never split a UTF-8 sequence
    }
    return std::string(message.substr(0, cut)) + "...";
}

EvidenceReport::EvidenceReport(std::size_t max_items_per_kind)
    : max_items_per_kind_(std::max<std::size_t>(max_items_per_kind, 1)) {}

void EvidenceReport::add(Evidence evidence) {
    evidence.sequence = next_sequence_++;
    evidence.message = bound_message(evidence.message);
    ++totals_[evidence.kind];
    auto& kept = items_[evidence.kind];
    kept.push_back(std::move(evidence));
    if (kept.size() > max_items_per_kind_) {
        kept.erase(kept.begin(),
                   kept.begin() + static_cast<std::ptrdiff_t>(kept.size() - max_items_per_kind_));
    }
}

void EvidenceReport::prune_observed_before(std::chrono::system_clock::time_point cutoff) {
    for (auto& [kind, kept] : items_) {
        std::erase_if(kept, [&](const Evidence& item) { return item.observed < cutoff; });
    }
    std::erase_if(items_, [](const auto& entry) { return entry.second.empty(); });
}

std::vector<Evidence> EvidenceReport::items() const {
    std::vector<Evidence> all;
    for (const auto& [kind, kept] : items_) {
        all.insert(all.end(), kept.begin(), kept.end());
    }
    std::sort(all.begin(), all.end(),
              [](const Evidence& a, const Evidence& b) { return a.sequence < b.sequence; });
    return all;
}

namespace {

nlohmann::json optional_text(const std::optional<std::string>& text) {
    return text ? nlohmann::json(*text) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json evidence_to_json(const Evidence& evidence) {
    return {{"kind", to_string(evidence.kind)},
            {"time", evidence.time},
            {"source", evidence.source},
            {"message", evidence.message},
            {"where", evidence.where},
            {"package", optional_text(evidence.package ? evidence.package : evidence.path)}};
}

std::map<EvidenceKind, EvidenceCount> evidence_counts(
    std::span<const Evidence> items, const std::map<EvidenceKind, std::uint64_t>& totals) {
    std::map<EvidenceKind, EvidenceCount> counts;
    for (const Evidence& item : items) {
        ++counts[item.kind].shown;
    }
    for (const auto& [kind, total] : totals) {
        counts[kind].total = total;
    }
    for (auto& [kind, count] : counts) {
        count.total = std::max(count.total, count.shown);
    }
    return counts;
}

nlohmann::json render_evidence(std::span<const Evidence> items,
                               const std::map<EvidenceKind, std::uint64_t>& totals) {
    nlohmann::json list = nlohmann::json::array();
    for (const Evidence& item : items) {
        list.push_back(evidence_to_json(item));
    }
    nlohmann::json counts = nlohmann::json::object();
    for (const auto& [kind, count] : evidence_counts(items, totals)) {
        counts[to_string(kind)] = {{"total", count.total}, {"shown", count.shown}};
    }
    return {{"evidence", std::move(list)}, {"evidence_counts", std::move(counts)}};
}

nlohmann::json EvidenceReport::to_state_json() const {
    nlohmann::json items = nlohmann::json::array();
    for (const Evidence& item : this->items()) {
        nlohmann::json entry = evidence_to_json(item);
        entry["package"] = optional_text(item.package);
        entry["path"] = optional_text(item.path);
        entry["observed"] =
            std::chrono::duration_cast<std::chrono::seconds>(item.observed.time_since_epoch())
                .count();
        items.push_back(std::move(entry));
    }
    nlohmann::json totals = nlohmann::json::object();
    for (const auto& [kind, total] : totals_) {
        totals[to_string(kind)] = total;
    }
    return {{"version", 1}, {"items", std::move(items)}, {"totals", std::move(totals)}};
}

Result<EvidenceReport> EvidenceReport::from_state_json(const nlohmann::json& json,
                                                       std::size_t max_items_per_kind) {
    if (!json.is_object() || !json.contains("version") || json.at("version") != 1 ||
        !json.contains("items") || !json.at("items").is_array() || !json.contains("totals") ||
        !json.at("totals").is_object()) {
        return fail("evidence state: expected {\"version\": 1, \"items\": [...], \"totals\": {}}");
    }
    EvidenceReport report(max_items_per_kind);
    std::size_t index = 0;
    for (const nlohmann::json& entry : json.at("items")) {
        const std::string where = "evidence state: items[" + std::to_string(index++) + "]";
        if (!entry.is_object()) {
            return fail(where + ": expected an object");
        }
        Evidence item;
        if (!entry.contains("kind") || !entry.at("kind").is_string()) {
            return fail(where + ".kind: expected a string");
        }
        const auto kind = parse_evidence_kind(entry.at("kind").get<std::string>());
        if (!kind) {
            return fail(where + ".kind: unknown evidence kind \"" +
                        entry.at("kind").get<std::string>() + "\"");
        }
        item.kind = *kind;
        for (auto [key, out] :
             {std::pair{"time", &item.time}, std::pair{"source", &item.source},
              std::pair{"message", &item.message}, std::pair{"where", &item.where}}) {
            if (!entry.contains(key) || !entry.at(key).is_string()) {
                return fail(where + "." + key + ": expected a string");
            }
            *out = entry.at(key).get<std::string>();
        }
        for (auto [key, out] :
             {std::pair{"package", &item.package}, std::pair{"path", &item.path}}) {
            if (entry.contains(key) && entry.at(key).is_string()) {
                *out = entry.at(key).get<std::string>();
            } else if (entry.contains(key) && !entry.at(key).is_null()) {
                return fail(where + "." + key + ": expected a string or null");
            }
        }
        if (!entry.contains("observed") || !entry.at("observed").is_number_integer()) {
            return fail(where + ".observed: expected Unix seconds");
        }
        item.observed = std::chrono::system_clock::time_point(
            std::chrono::seconds(entry.at("observed").get<std::int64_t>()));
        report.add(std::move(item));
    }
    report.totals_.clear();
    for (const auto& [name, total] : json.at("totals").items()) {
        const auto kind = parse_evidence_kind(name);
        if (!kind) {
            return fail("evidence state: totals." + name + ": unknown evidence kind");
        }
        if (!total.is_number_unsigned()) {
            return fail("evidence state: totals." + name + ": expected an unsigned integer");
        }
        report.totals_[*kind] = total.get<std::uint64_t>();
    }
    // A count is never below what is shown.
    for (const auto& [kind, kept] : report.items_) {
        report.totals_[kind] = std::max<std::uint64_t>(report.totals_[kind], kept.size());
    }
    return report;
}

}  // namespace psguard
