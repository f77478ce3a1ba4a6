#include "smp/fleet_report.hpp"

namespace psguard {
namespace {

// The start of each UTF-8 code point: every byte that is not a continuation byte.
bool starts_code_point(unsigned char byte) {
    return (byte & 0xC0) != 0x80;
}

std::size_t code_points(const std::string& text) {
    std::size_t count = 0;
    for (const char c : text) {
        count += starts_code_point(static_cast<unsigned char>(c)) ? 1 : 0;
    }
    return count;
}

// The byte offset where code point `n` starts (text.size() when there are fewer).
std::size_t offset_of_char(const std::string& text, std::size_t n) {
    std::size_t seen = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (starts_code_point(static_cast<unsigned char>(text[i]))) {
            if (seen == n) {
                return i;
            }
            ++seen;
        }
    }
    return text.size();
}

}  // namespace

std::string fit_column(const std::string& text, std::size_t size) {
    if (code_points(text) <= size) {
        return text;
    }
    constexpr std::string_view kCut = "...";
    if (size <= kCut.size()) {
        return text.substr(0, offset_of_char(text, size));
    }
    return text.substr(0, offset_of_char(text, size - kCut.size())) + std::string(kCut);
}

std::string FleetStatus::fingerprint() const {
    std::string text = result + "|" + diagnosis + "|" +
                       (acl_ok ? (*acl_ok ? "acl ok" : "acl failing") : "acl unchecked") + "|" +
                       (heal_enabled ? "heal on" : "heal off") + "|" + breaker;
    for (const auto count : verdict_counts) {
        text += "|" + std::to_string(count);
    }
    return text;
}

// Version, time and result; a count per verdict; diagnosis, its summary, ACL, heal enabled,
// heal actions, heal failures and breaker.
static_assert(kFleetColumns.size() == 3 + std::size(kAllVerdicts) + 7,
              "every verdict has its column in the fleet row");

std::vector<std::string> fleet_row(const FleetStatus& status) {
    std::vector<std::string> values = {status.version, format_utc(status.cycle_time),
                                       status.result};
    for (const auto count : status.verdict_counts) {
        values.push_back(std::to_string(count));
    }
    values.push_back(status.diagnosis);
    values.push_back(status.diagnosis_summary);
    values.push_back(status.acl_ok ? (*status.acl_ok ? "1" : "0") : "-1");
    values.push_back(status.heal_enabled ? "1" : "0");
    values.push_back(std::to_string(status.heal_actions_24h));
    values.push_back(std::to_string(status.heal_failures_24h));
    values.push_back(status.breaker);
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (kFleetColumns[i].type == FleetColumnType::text) {
            values[i] = fit_column(values[i], kFleetColumns[i].size);
        }
    }
    return values;
}

bool fleet_row_due(const FleetSendState& state, const std::string& fingerprint,
                   std::chrono::hours interval, TimePoint now) {
    return !state.last_attempt || state.last_fingerprint != fingerprint ||
           now - *state.last_attempt >= interval;
}

NseMessage fleet_message(const std::string& data_class, const FleetStatus& status) {
    return NseMessage{kInventoryCaptureGuid, 1, data_class, {fleet_row(status)}};
}

}  // namespace psguard
