#include "heal/acl_confirmation.hpp"

namespace psguard {
namespace {

// "path|missing rights|error": the same finding is the same folder missing the same rights.
std::string finding_key(const AclResult& result) {
    std::string key = result.path + "|";
    for (const auto& right : result.missing) {
        key += right + ",";
    }
    return key + "|" + result.error;
}

}  // namespace

AclReport confirmed_acl(const AclReport& acl, const AclConfig& config, int confirm_cycles,
                        HealHistory& history) {
    if (!config.agent_manages_dacls || !acl.configured || !acl.account_resolved) {
        return acl;
    }
    std::map<std::string, int> streaks;
    AclReport confirmed = acl;
    std::erase_if(confirmed.results, [&](const AclResult& result) {
        if (result.ok) {
            return false;
        }
        const std::string key = finding_key(result);
        const auto seen = history.acl_streaks.find(key);
        const int streak = (seen == history.acl_streaks.end() ? 0 : seen->second) + 1;
        streaks[key] = streak;
        return streak < confirm_cycles;
    });
    history.acl_streaks = std::move(streaks);
    return confirmed;
}

}  // namespace psguard
