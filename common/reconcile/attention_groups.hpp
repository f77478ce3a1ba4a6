// Verdicts for people, as the console table and the status page show them: names, the order of
// attention, and packages grouped by verdict and reason.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "reconcile/verdict.hpp"

namespace psguard {

std::optional<Verdict> verdict_from_string(std::string_view text);
// to_string, or "no verdict" for a package whose verdict depends on NS data psguard lacks.
std::string_view verdict_label(std::optional<Verdict> verdict);

// The order in which people read verdicts: stale_on_ns (what psguard heals) first, then the
// other problems, packages without a verdict (nullopt: the NS was not usable), then healthy and
// deleted (needs_attention: false).
int attention_rank(std::optional<Verdict> verdict);

// Packages sharing a verdict and a reason.
template <typename Item>
struct AttentionGroup {
    std::optional<Verdict> verdict;
    std::string reason;
    std::vector<const Item*> items;
};

// The groups, the verdicts that need attention first, within a verdict the larger groups first,
// then by reason. `describe(item)` gives the item's verdict and reason; `keep(item)` whether it
// is listed.
template <typename Item, typename Range, typename Describe, typename Keep>
std::vector<AttentionGroup<Item>> group_for_attention(const Range& items, Describe describe,
                                                      Keep keep) {
    std::map<std::pair<int, std::string>, AttentionGroup<Item>> by_key;
    for (const Item& item : items) {
        if (!keep(item)) {
            continue;
        }
        auto [verdict, reason] = describe(item);
        AttentionGroup<Item>& group = by_key[{attention_rank(verdict), reason}];
        group.verdict = verdict;
        group.reason = std::move(reason);
        group.items.push_back(&item);
    }
    std::vector<AttentionGroup<Item>> groups;
    for (auto& [key, group] : by_key) {
        groups.push_back(std::move(group));
    }
    std::stable_sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) {
        return std::tuple(attention_rank(a.verdict), b.items.size()) <
               std::tuple(attention_rank(b.verdict), a.items.size());
    });
    return groups;
}

}  // namespace psguard
