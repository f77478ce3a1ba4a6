#include "heal/heal_history.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>

#include "core/utf8_path.hpp"
#include "platform/file_ops.hpp"

namespace psguard {
namespace {

constexpr auto kDay = std::chrono::hours(24);

nlohmann::json optional_time(const std::optional<TimePoint>& time) {
    return time ? nlohmann::json(format_utc(*time)) : nlohmann::json(nullptr);
}

std::optional<TimePoint> read_optional_time(const nlohmann::json& document, const char* key) {
    if (document.contains(key) && document[key].is_string()) {
        return parse_utc(document[key].get<std::string>());
    }
    return std::nullopt;
}

}  // namespace

int HealHistory::heals_in_last_day(TimePoint now) const {
    return static_cast<int>(
        std::count_if(heals.begin(), heals.end(), [&](TimePoint t) { return now - t < kDay; }));
}

void HealHistory::prune(TimePoint now) {
    std::erase_if(heals, [&](TimePoint t) { return now - t >= kDay; });
    std::erase_if(packages, [](const auto& entry) {
        const PackageHistory& p = entry.second;
        return p.stale_streak == 0 && !p.pending_since && p.attempts == 0 && !p.heal_failed &&
               p.awaiting_action.empty();
    });
}

nlohmann::json to_json(const HealHistory& history) {
    nlohmann::json packages = nlohmann::json::object();
    for (const auto& [id, p] : history.packages) {
        packages[id] = {
            {"stale_streak", p.stale_streak},
            {"pending_since", p.pending_since ? nlohmann::json(format_utc(*p.pending_since))
                                              : nlohmann::json(nullptr)},
            {"attempts", p.attempts},
            {"heal_failed", p.heal_failed},
            {"awaiting_action", p.awaiting_action},
            {"cycles_since_heal", p.cycles_since_heal}};
    }
    nlohmann::json heals = nlohmann::json::array();
    for (const auto& t : history.heals) {
        heals.push_back(format_utc(t));
    }
    return {{"version", 1},
            {"packages", std::move(packages)},
            {"heals", std::move(heals)},
            {"acl_last_failed", history.acl_last_failed
                                    ? nlohmann::json(format_utc(*history.acl_last_failed))
                                    : nlohmann::json(nullptr)},
            {"credential_streak", history.credential_streak},
            {"policy_refreshed", optional_time(history.policy_refreshed)},
            {"policy_action", history.policy_action},
            {"cycles_since_policy_refresh", history.cycles_since_policy_refresh},
            {"acl_streaks", history.acl_streaks},
            {"smp_last_attempt", optional_time(history.smp_last_attempt)},
            {"smp_last_fingerprint", history.smp_last_fingerprint},
            {"smp_last_success", optional_time(history.smp_last_success)}};
}

Result<HealHistory> history_from_json(const nlohmann::json& document) {
    if (!document.is_object() || document.value("version", 0) != 1) {
        return fail("unknown history format");
    }
    HealHistory history;
    try {
        for (const auto& [id, p] : document.at("packages").items()) {
            PackageHistory entry;
            entry.stale_streak = p.at("stale_streak").get<int>();
            if (p.at("pending_since").is_string()) {
                entry.pending_since = parse_utc(p.at("pending_since").get<std::string>());
            }
            entry.attempts = p.at("attempts").get<int>();
            entry.heal_failed = p.at("heal_failed").get<bool>();
            entry.awaiting_action = p.at("awaiting_action").get<std::string>();
            entry.cycles_since_heal = p.at("cycles_since_heal").get<int>();
            history.packages.emplace(id, entry);
        }
        if (document.contains("acl_last_failed") && document["acl_last_failed"].is_string()) {
            history.acl_last_failed = parse_utc(document["acl_last_failed"].get<std::string>());
        }
        // Added later: optional, so that an older history.json still loads.
        history.credential_streak = document.value("credential_streak", 0);
        history.policy_refreshed = read_optional_time(document, "policy_refreshed");
        history.policy_action = document.value("policy_action", "");
        history.cycles_since_policy_refresh = document.value("cycles_since_policy_refresh", 0);
        if (document.contains("acl_streaks")) {
            history.acl_streaks = document["acl_streaks"].get<std::map<std::string, int>>();
        }
        history.smp_last_attempt = read_optional_time(document, "smp_last_attempt");
        history.smp_last_fingerprint = document.value("smp_last_fingerprint", "");
        history.smp_last_success = read_optional_time(document, "smp_last_success");
        for (const auto& t : document.at("heals")) {
            if (auto time = parse_utc(t.get<std::string>())) {
                history.heals.push_back(*time);
            }
        }
    } catch (const nlohmann::json::exception& e) {
        return fail(std::string("damaged history: ") + e.what());
    }
    return history;
}

Result<HealHistory> load_history(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
        return HealHistory{};
    }
    std::ifstream in(file, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto document = nlohmann::json::parse(text, nullptr, false);
    if (document.is_discarded()) {
        return fail(path_to_utf8(file) + ": damaged history (not JSON)");
    }
    auto history = history_from_json(document);
    if (!history) {
        return fail(path_to_utf8(file) + ": " + history.error().message);
    }
    return history;
}

Status save_history(const std::filesystem::path& file, const HealHistory& history) {
    return write_atomically(
        file,
        to_json(history).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

}  // namespace psguard
