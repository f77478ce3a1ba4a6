#include "reconcile/attention_groups.hpp"

namespace psguard {

std::optional<Verdict> verdict_from_string(std::string_view text) {
    for (const Verdict verdict : kAllVerdicts) {
        if (to_string(verdict) == text) {
            return verdict;
        }
    }
    return std::nullopt;
}

std::string_view verdict_label(std::optional<Verdict> verdict) {
    return verdict ? to_string(*verdict) : "no verdict";
}

int attention_rank(std::optional<Verdict> verdict) {
    if (!verdict) {
        return 8;
    }
    switch (*verdict) {
        case Verdict::stale_on_ns:
            return 0;
        case Verdict::unreadable:
            return 1;
        case Verdict::not_ready_locally:
            return 2;
        case Verdict::missing_locally:
            return 3;
        case Verdict::version_mismatch:
            return 4;
        case Verdict::pending_on_ns:
            return 5;
        case Verdict::unrecognised_ns_status:
            return 6;
        case Verdict::unknown_to_ns:
            return 7;
        case Verdict::healthy:
            return 9;
        case Verdict::deleted:
            return 10;
    }
    return 8;
}

}  // namespace psguard
