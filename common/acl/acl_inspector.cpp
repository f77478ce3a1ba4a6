#include "acl/acl_inspector.hpp"

#include <map>
#include <optional>
#include <type_traits>

#include "core/utf8_path.hpp"
#include "platform/file_links.hpp"

namespace psguard {
namespace {

std::string trustee_text(const acl::PosixAcl& posix, const acl::PosixEntry& entry) {
    switch (entry.tag) {
        case acl::PosixTag::user_obj:
            return "owner " + describe_uid(posix.owner_uid);
        case acl::PosixTag::user:
            return "user " + describe_uid(entry.id);
        case acl::PosixTag::group_obj:
            return "owning group " + describe_gid(posix.owner_gid);
        case acl::PosixTag::group:
            return "group " + describe_gid(entry.id);
        case acl::PosixTag::mask:
            return "mask (" + acl::posix_perm_text(entry.perms) + ")";
        case acl::PosixTag::other:
            return "other";
    }
    return "?";
}

AclResult evaluate_windows(AclResult result, const ResolvedAccount& who,
                           const acl::SecurityDescriptor& descriptor, acl::AccessMask required) {
    if (!who.token) {
        result.error = "the account has no Windows identity to check this descriptor with";
        return result;
    }
    const acl::AccessCheck check = acl::check_access(descriptor, *who.token, required);
    result.ok = check.ok();
    result.required = acl::right_names(check.required);
    result.granted = acl::right_names(check.granted);
    result.missing = acl::right_names(check.missing);
    if (check.denied_by) {
        result.denied_by =
            DeniedBy{check.denied_by->index, describe_sid(check.denied_by->ace.trustee),
                     check.denied_by->ace.inherited()};
    }
    result.partial = who.partial || !check.unevaluated.empty();
    return result;
}

AclResult evaluate_posix(AclResult result, const ResolvedAccount& who, const acl::PosixAcl& posix,
                         acl::AccessMask required) {
    if (!who.identity) {
        result.error = "the account has no POSIX identity to check this ACL with";
        return result;
    }
    const acl::PosixCheck check =
        acl::check_posix_access(posix, *who.identity, acl::posix_perms_for(required));
    result.ok = check.ok();
    result.required = acl::posix_perm_names(check.required);
    result.granted = acl::posix_perm_names(check.granted);
    result.missing = acl::posix_perm_names(check.missing);
    if (check.denied_by) {
        result.denied_by =
            DeniedBy{check.denied_by->index, trustee_text(posix, check.denied_by->entry), false};
    }
    result.partial = who.partial;
    return result;
}

// "a symlink to /srv/x; ..." when `path` is a link, else nullopt.
std::optional<std::string> link_description(const std::filesystem::path& path) {
    auto probed = probe_entry(path);
    if (!probed || !probed.value() || probed.value()->link == LinkKind::none) {
        return std::nullopt;
    }
    const LinkKind kind = probed.value()->link;
    auto target = link_target(path);
    return std::string("a ") + to_string(kind) +
           (target ? " to " + path_to_utf8(*target) : std::string()) +
           "; psguard checks no permissions through links (see the scan's finding)";
}

}  // namespace

bool AclReport::ok() const {
    if (!configured || !account_resolved) {
        return false;
    }
    for (const auto& result : results) {
        if (result.problem()) {
            return false;
        }
    }
    return true;
}

AclResult evaluate_path(const std::filesystem::path& path, const ResolvedAccount& who,
                        const PathSecurity& security, acl::AccessMask required) {
    AclResult result;
    result.path = path_to_utf8(path);
    result.account = who.account;
    result.resolved = who.resolved_text;
    result.partial = who.partial;
    return std::visit(
        [&](const auto& model) {
            using Model = std::decay_t<decltype(model)>;
            if constexpr (std::is_same_v<Model, acl::SecurityDescriptor>) {
                return evaluate_windows(std::move(result), who, model, required);
            } else {
                return evaluate_posix(std::move(result), who, model, required);
            }
        },
        security);
}

AclReport inspect_acls(const std::string& account, const std::vector<std::filesystem::path>& roots,
                       const std::vector<std::filesystem::path>& package_dirs,
                       const AclConfig& config) {
    AclReport report;
    report.account = account;
    if (account.empty()) {
        report.note =
            "no credential account is configured (credential_account): ACLs were not "
            "inspected";
        return report;
    }
    report.configured = true;
    const auto required = required_access_mask(config.required_rights);
    if (!required) {
        report.note = required.error().message;
        return report;
    }
    const ResolvedAccount who = resolve_account(account);
    report.account_resolved = who.resolved;
    report.local_account = who.local;
    if (!who.resolved) {
        report.note = who.reason;  // the finding: the credential cannot even log on here
        return report;
    }
    report.resolved = who.resolved_text;
    report.display = who.display;
    report.partial = who.partial;
    report.groups_source = who.groups_source;
    report.note = who.partial_reason;

    const auto check = [&](const std::filesystem::path& path) {
        auto security = read_path_security(path);
        if (!security) {
            AclResult result;
            result.path = path_to_utf8(path);
            result.account = account;
            result.resolved = who.resolved_text;
            result.partial = who.partial;
            result.required = acl::right_names(required.value());
            // The reader refuses links: one is a fact about that entry, not a missing right.
            if (auto link = link_description(path)) {
                result.not_checked = *link;
            } else {
                result.error = security.error().message;
            }
            report.results.push_back(std::move(result));
            return;
        }
        report.results.push_back(evaluate_path(path, who, security.value(), required.value()));
    };
    for (const auto& root : roots) {
        check(root);
    }
    for (const auto& dir : package_dirs) {
        check(dir);
    }
    return report;
}

AclReport inspect_acls_reusing(const std::string& account,
                               const std::vector<std::filesystem::path>& roots,
                               const std::vector<std::filesystem::path>& package_dirs,
                               const AclConfig& config, const AclReport& previous,
                               const std::set<std::filesystem::path>& recheck) {
    std::map<std::string, const AclResult*> known;
    if (previous.configured && previous.account_resolved && previous.account == account) {
        for (const auto& result : previous.results) {
            known.emplace(result.path, &result);
        }
    }
    std::vector<std::filesystem::path> to_check;
    for (const auto& dir : package_dirs) {
        if (recheck.contains(dir) || !known.contains(path_to_utf8(dir))) {
            to_check.push_back(dir);
        }
    }
    AclReport fresh = inspect_acls(account, roots, to_check, config);
    if (!fresh.account_resolved) {
        return fresh;  // nothing to merge: the account itself is the finding
    }
    std::map<std::string, AclResult> checked;
    for (std::size_t i = roots.size(); i < fresh.results.size(); ++i) {
        checked.emplace(fresh.results[i].path, std::move(fresh.results[i]));
    }
    fresh.results.resize(std::min(fresh.results.size(), roots.size()));
    for (const auto& dir : package_dirs) {
        const std::string shown = path_to_utf8(dir);
        if (auto it = checked.find(shown); it != checked.end()) {
            fresh.results.push_back(std::move(it->second));
        } else if (auto reused = known.find(shown); reused != known.end()) {
            fresh.results.push_back(*reused->second);
        }
    }
    return fresh;
}

nlohmann::json to_json(const AclResult& result) {
    nlohmann::json json = {
        {"path", result.path},
        {"account", result.account},
        {"resolved",
         result.resolved.empty() ? nlohmann::json(nullptr) : nlohmann::json(result.resolved)},
        {"ok", result.not_checked.empty() ? nlohmann::json(result.ok) : nlohmann::json(nullptr)},
        {"required", result.required},
        {"granted", result.granted},
        {"missing", result.missing},
        {"denied_by", nullptr},
        {"partial", result.partial},
    };
    if (result.denied_by) {
        json["denied_by"] = {{"index", result.denied_by->index},
                             {"trustee", result.denied_by->trustee},
                             {"inherited", result.denied_by->inherited}};
    }
    if (!result.error.empty()) {
        json["error"] = result.error;
    }
    if (!result.not_checked.empty()) {
        json["not_checked"] = result.not_checked;
    }
    return json;
}

nlohmann::json to_json(const AclReport& report) {
    const auto text_or_null = [](const std::string& text) {
        return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
    };
    nlohmann::json results = nlohmann::json::array();
    for (const auto& result : report.results) {
        results.push_back(to_json(result));
    }
    return {{"account", text_or_null(report.account)},
            {"configured", report.configured},
            {"account_resolved", report.account_resolved},
            {"local_account", report.local_account},
            {"resolved", text_or_null(report.resolved)},
            {"display", text_or_null(report.display)},
            {"partial", report.partial},
            {"groups_source", text_or_null(report.groups_source)},
            {"note", text_or_null(report.note)},
            {"ok", report.ok()},
            {"results", std::move(results)}};
}

}  // namespace psguard
