#include "evidence/diagnosis.hpp"

#include <algorithm>
#include <map>

#include "core/ascii.hpp"
#include "core/display_text.hpp"
#include "core/utc_time.hpp"
#include "core/utf8_path.hpp"
#include "evidence/log_signatures.hpp"

namespace psguard {
namespace {

// Lower-cased components; a leading "\\" or "/" becomes a component of its own so that
// "\\server\share", "\share" and "share" stay apart.
std::vector<std::string> components(std::string_view path) {
    for (std::string_view prefix : {"\\\\?\\UNC\\", "//?/UNC/"}) {
        if (path.starts_with(prefix)) {
            path.remove_prefix(prefix.size());
            std::vector<std::string> rest = components(path);
            rest.insert(rest.begin(), "\\\\");
            return rest;
        }
    }
    for (std::string_view prefix : {"\\\\?\\", "//?/", "\\??\\"}) {
        if (path.starts_with(prefix)) {
            path.remove_prefix(prefix.size());
        }
    }
    std::vector<std::string> parts;
    if (path.size() >= 2 && is_path_separator(path[0]) && is_path_separator(path[1])) {
        parts.emplace_back("\\\\");
    } else if (!path.empty() && is_path_separator(path[0])) {
        parts.emplace_back("\\");
    }
    std::size_t at = 0;
    while (at < path.size()) {
        while (at < path.size() && is_path_separator(path[at])) {
            ++at;
        }
        std::size_t end = at;
        while (end < path.size() && !is_path_separator(path[end])) {
            ++end;
        }
        std::string part(path.substr(at, end - at));
        at = end;
        // Windows ignores trailing dots and spaces of a name.
        while (!part.empty() && (part.back() == '.' || part.back() == ' ') && part != "." &&
               part != "..") {
            part.pop_back();
        }
        if (part.empty() || part == ".") {
            continue;
        }
        if (part == "..") {
            if (!parts.empty() && parts.back() != "\\" && parts.back() != "\\\\") {
                parts.pop_back();
            }
            continue;
        }
        part = ascii_lower(part);
        parts.push_back(std::move(part));
    }
    return parts;
}

bool is_prefix(const std::vector<std::string>& prefix, const std::vector<std::string>& whole) {
    return prefix.size() <= whole.size() && std::equal(prefix.begin(), prefix.end(), whole.begin());
}

std::string iso_utc(std::chrono::system_clock::time_point time) {
    return format_utc(std::chrono::floor<std::chrono::seconds>(time));
}

std::string describe_age(std::chrono::seconds age) {
    const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(age).count();
    if (minutes < 120) {
        return std::to_string(minutes) + " min";
    }
    return std::to_string(minutes / 60) + " h " + std::to_string(minutes % 60) + " min";
}

std::string folder_label(const QueueFolder& folder) {
    return folder.name.empty() ? std::string("the queue folder")
                               : "the queue folder of " + folder.name;
}

const QueueFolder* find_folder(const std::optional<QueueSummary>& summary,
                               const std::string& name) {
    if (!summary) {
        return nullptr;
    }
    for (const QueueFolder& folder : summary->folders) {
        if (folder.name == name) {
            return &folder;
        }
    }
    return nullptr;
}

enum class Signal { credential, acl_path, queue, other };

}  // namespace

std::string_view to_string(Cause cause) {
    switch (cause) {
        case Cause::credential_not_applied:
            return "credential_not_applied";
        case Cause::acl_missing:
            return "acl_missing";
        case Cause::status_not_delivered:
            return "status_not_delivered";
        case Cause::unknown:
            break;
    }
    return "unknown";
}

bool path_relates_to_root(std::string_view path, std::string_view root) {
    const auto path_parts = components(path);
    const auto root_parts = components(root);
    if (root_parts.empty() || path_parts.empty()) {
        return false;
    }
    if (is_prefix(root_parts, path_parts)) {
        return true;
    }
    // A folder above the root: the agent creates the package path one folder at a time, and
    // the KB's own line names only "d:". A bare "\" or "\\" is too broad to count.
    const bool only_marker =
        path_parts.size() == 1 && (path_parts[0] == "\\" || path_parts[0] == "\\\\");
    return !only_marker && is_prefix(path_parts, root_parts);
}

std::vector<Evidence> queue_evidence(const QueueSummary& now,
                                     const std::optional<QueueSummary>& previous,
                                     const QueueThresholds& thresholds) {
    std::vector<Evidence> found;
    const std::string stamp = iso_utc(now.taken);
    for (const QueueFolder& folder : now.folders) {
        const std::string where = path_to_utf8(folder.path);
        if (const std::size_t blocked = folder.counts.count(QueueState::blocked); blocked > 0) {
            found.push_back({EvidenceKind::queue_blocked, stamp, "Queue",
                             plural(blocked, "event", "events") + " in " + folder_label(folder) +
                                 " marked .blocked: not sent, the agent is not registered "
                                 "with the NS",
                             where, std::nullopt, std::nullopt, 0, now.taken});
        }
        if (const std::size_t disabled = folder.counts.count(QueueState::disabled); disabled > 0) {
            found.push_back({EvidenceKind::queue_disabled, stamp, "Queue",
                             plural(disabled, "event", "events") + " in " + folder_label(folder) +
                                 " marked .disabled: NSEs are disabled on the agent",
                             where, std::nullopt, std::nullopt, 0, now.taken});
        }
        const std::size_t waiting = folder.counts.count(QueueState::waiting);
        if (waiting == 0) {
            continue;
        }
        std::vector<std::string> reasons;
        std::string time = stamp;
        if (waiting >= thresholds.backlog_files) {
            reasons.push_back("at least " + std::to_string(thresholds.backlog_files));
        }
        if (folder.oldest_waiting) {
            time = iso_utc(*folder.oldest_waiting);
            const auto age = std::chrono::duration_cast<std::chrono::seconds>(
                now.taken - *folder.oldest_waiting);
            if (age >= thresholds.backlog_age) {
                reasons.push_back("the oldest waiting for " + describe_age(age));
            }
        }
        if (const QueueFolder* before = find_folder(previous, folder.name)) {
            const std::size_t waited = before->counts.count(QueueState::waiting);
            // Growing while the previous cycle's oldest event is still waiting: not draining.
            if (waited > 0 && waiting > waited && folder.oldest_waiting && before->oldest_waiting &&
                *folder.oldest_waiting <= *before->oldest_waiting) {
                reasons.push_back("up from " + std::to_string(waited) + " at the last check");
            }
        }
        if (reasons.empty()) {
            continue;
        }
        std::string message =
            plural(waiting, "event", "events") + " waiting in " + folder_label(folder) + " (";
        for (std::size_t i = 0; i < reasons.size(); ++i) {
            message += (i == 0 ? "" : ", ") + reasons[i];
        }
        message += "): status reports are not reaching the NS";
        found.push_back({EvidenceKind::queue_backlog, time, "Queue", std::move(message), where,
                         std::nullopt, std::nullopt, 0, now.taken});
    }
    return found;
}

Diagnosis diagnose(const DiagnosisInput& input) {
    std::vector<std::string> roots;
    for (const auto& root : input.package_roots) {
        if (!root.empty()) {
            roots.push_back(path_to_utf8(root));
        }
    }
    std::map<Signal, std::vector<std::size_t>> by_signal;
    for (std::size_t i = 0; i < input.evidence.size(); ++i) {
        const Evidence& item = input.evidence[i];
        Signal signal = Signal::other;
        if (item.kind == EvidenceKind::queue_blocked || item.kind == EvidenceKind::queue_disabled ||
            item.kind == EvidenceKind::queue_backlog) {
            signal = Signal::queue;
        } else {
            const auto table = log_signatures();
            const auto row = std::find_if(table.begin(), table.end(),
                                          [&](const Signature& s) { return s.kind == item.kind; });
            const CauseHint hint = row == table.end() ? CauseHint::none : row->points_to;
            const bool on_package_path =
                item.path && std::any_of(roots.begin(), roots.end(), [&](const std::string& root) {
                    return path_relates_to_root(*item.path, root);
                });
            if (hint == CauseHint::credential) {
                signal = Signal::credential;
            } else if (hint == CauseHint::acl ||
                       (hint == CauseHint::by_context && on_package_path)) {
                signal = Signal::acl_path;
            } else if (hint == CauseHint::by_context &&
                       is_reporting_context(item.source, item.message)) {
                signal = Signal::credential;
            }
        }
        by_signal[signal].push_back(i);
    }
    const auto& credential = by_signal[Signal::credential];
    const auto& acl_path = by_signal[Signal::acl_path];
    const auto& queue = by_signal[Signal::queue];
    const auto& other = by_signal[Signal::other];
    const auto merged = [](std::vector<std::size_t> a, const std::vector<std::size_t>& b) {
        a.insert(a.end(), b.begin(), b.end());
        std::sort(a.begin(), a.end());
        return a;
    };
    const auto cited = [](const std::vector<std::size_t>& items) {
        return items.empty() ? std::string()
                             : " (" + plural(items.size(), "log event", "log events") + ")";
    };

    if (input.account_resolved == false) {
        return {Cause::credential_not_applied,
                "The Package Service credential account does not resolve on this host, so the "
                "agent cannot have applied it" +
                    cited(merged(credential, acl_path)) + ".",
                merged(credential, acl_path)};
    }
    if (input.acl_ok == false) {
        return {
            Cause::acl_missing,
            "The credential account lacks the rights it needs on the package folders" +
                (acl_path.empty() ? std::string()
                                  : ", and the agent was denied access there" + cited(acl_path)) +
                ".",
            acl_path};
    }
    if (!acl_path.empty()) {
        if (input.acl_ok == true) {
            return {Cause::credential_not_applied,
                    "The credential account holds the rights on the package folders, yet the "
                    "agent was denied access there" +
                        cited(acl_path) + ": it is not acting as that account.",
                    merged(acl_path, credential)};
        }
        return {Cause::acl_missing,
                "The agent was denied access on the package folders" + cited(acl_path) +
                    "; the ACL check did not run to confirm.",
                acl_path};
    }
    if (!credential.empty()) {
        return {Cause::credential_not_applied,
                "The agent failed to authenticate while reporting status to the NS" +
                    cited(credential) + ".",
                credential};
    }
    if (!queue.empty()) {
        const bool confirmed = input.account_resolved == true && input.acl_ok == true;
        return {Cause::status_not_delivered,
                std::string("Status events are not reaching the NS (") +
                    plural(queue.size(), "queue finding", "queue findings") + ") while " +
                    (confirmed ? "the credential and the ACL check out"
                               : "nothing points to the credential or the ACL") +
                    ".",
                queue};
    }
    if (!other.empty()) {
        return {Cause::unknown,
                "The agent logged " + plural(other.size(), "problem", "problems") +
                    ", none of which points to one of the known causes.",
                other};
    }
    return {Cause::unknown, "No evidence points to a cause.", {}};
}

nlohmann::json diagnosis_to_json(const Diagnosis& diagnosis) {
    return {{"cause", std::string(to_string(diagnosis.cause))},
            {"summary", diagnosis.summary},
            {"evidence", diagnosis.evidence}};
}

}  // namespace psguard
