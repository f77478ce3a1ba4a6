// The evidence items a diagnosis cites, read from a JSON document that holds both: the cycle's
// evidence document (EvidenceCycleResult::to_json()) or /v1/status. document["diagnosis"]
// ["evidence"] holds indices into document["evidence"]; indices that are not numbers or out of
// range are skipped.
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace psguard {

inline std::vector<nlohmann::json> cited_evidence(const nlohmann::json& document) {
    std::vector<nlohmann::json> cited;
    if (!document.is_object() || !document.contains("evidence") ||
        !document.contains("diagnosis") || !document["diagnosis"].is_object()) {
        return cited;
    }
    const nlohmann::json& items = document["evidence"];
    const nlohmann::json indices = document["diagnosis"].value("evidence", nlohmann::json());
    if (!items.is_array() || !indices.is_array()) {
        return cited;
    }
    for (const auto& index : indices) {
        if (index.is_number_integer() && index.get<std::int64_t>() >= 0 &&
            index.get<std::size_t>() < items.size()) {
            cited.push_back(items[index.get<std::size_t>()]);
        }
    }
    return cited;
}

}  // namespace psguard
