#include "heal/journal.hpp"

#include <fstream>
#include <sstream>

#include "core/utf8_path.hpp"
#include "platform/file_ops.hpp"

namespace psguard {
namespace {

JournalFile file_from_json(const nlohmann::json& j) {
    JournalFile file;
    file.role = j.value("role", "");
    file.original = escaped_utf8_to_path(j.value("original", ""));
    file.quarantined = escaped_utf8_to_path(j.value("quarantined", ""));
    file.sha256 = j.value("sha256", "");
    file.size = j.value("size", std::uint64_t{0});
    if (const auto security = j.find("security"); security != j.end()) {
        // One that does not parse (edited by hand) counts as absent: the bytes still come back.
        if (auto read = file_security_from_json(*security)) {
            file.security = std::move(read).value();
        }
    }
    return file;
}

// Folds one record into the action it belongs to.
void apply(ActionSummary& action, const nlohmann::json& record) {
    const std::string event = record.value("event", "");
    if (event == "intent") {
        action.time = parse_utc(record.value("time", "")).value_or(TimePoint{});
        action.kind = record.value("kind", "files");
        action.acl_path = escaped_utf8_to_path(record.value("path", ""));
        action.account = record.value("account", "");
        action.saved_descriptor = record.value("descriptor", "");
        action.package = record.value("package", "");
        action.mode = record.value("mode", "quarantine");
        action.reason = record.value("reason", "");
        for (const auto& file : record.value("files", nlohmann::json::array())) {
            action.files.push_back(file_from_json(file));
        }
        action.result = ActionResult::in_progress;
    } else if (event == "file_moved" || event == "file_deleted") {
        action.moved_roles.push_back(record.value("role", ""));
    } else if (event == "files_done" || event == "acl_granted" || event == "agent_requested") {
        action.result = ActionResult::awaiting_verification;
        action.detail = record.value("detail", "");
    } else if (event == "refresh") {
        action.detail = record.value("summary", "");
    } else if (event == "verified") {
        action.result = ActionResult::verified;
        action.detail = record.value("detail", action.detail);
    } else if (event == "verify_failed") {
        action.result = ActionResult::verify_failed;
        action.detail = record.value("detail", "");
    } else if (event == "failed") {
        action.result = ActionResult::failed;
        action.detail = record.value("detail", "");
    } else if (event == "rolled_back") {
        action.result = ActionResult::rolled_back;
        action.detail = record.value("detail", "");
    } else if (event == "restored") {
        action.result = ActionResult::restored;
        action.detail = record.value("detail", "");
    }
}

}  // namespace

const char* to_string(ActionResult result) {
    switch (result) {
        case ActionResult::in_progress:
            return "in_progress";
        case ActionResult::awaiting_verification:
            return "awaiting_verification";
        case ActionResult::verified:
            return "verified";
        case ActionResult::verify_failed:
            return "verify_failed";
        case ActionResult::failed:
            return "failed";
        case ActionResult::rolled_back:
            return "rolled_back";
        case ActionResult::restored:
            return "restored";
    }
    return "unknown";
}

Journal::Journal(std::filesystem::path file) : file_(std::move(file)) {}

Status Journal::load() {
    records_.clear();
    last_seq_ = 0;
    std::error_code ec;
    if (!std::filesystem::exists(file_, ec)) {
        return {};
    }
    std::ifstream in(file_, std::ios::binary);
    if (!in) {
        return fail("cannot open the journal " + path_to_utf8(file_));
    }
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
        lines.push_back(line);
    }
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string& text = lines[i];
        if (text.empty()) {
            continue;
        }
        auto record = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
        if (record.is_discarded() || !record.is_object() || !record.contains("action") ||
            !record.contains("event")) {
            const bool torn_tail = i + 1 == lines.size();
            if (torn_tail) {
                continue;  // a crash in the middle of the last append; it never took effect
            }
            return fail("the journal " + path_to_utf8(file_) + " is damaged at line " +
                        std::to_string(i + 1) + ": psguard will not act until it is repaired");
        }
        last_seq_ = std::max<std::uint64_t>(last_seq_, record.value("seq", std::uint64_t{0}));
        records_.push_back(std::move(record));
    }
    return {};
}

std::vector<ActionSummary> Journal::actions() const {
    std::vector<ActionSummary> actions;
    std::map<std::string, std::size_t> index;
    for (const auto& record : records_) {
        const std::string id = record.value("action", "");
        auto [it, inserted] = index.emplace(id, actions.size());
        if (inserted) {
            actions.push_back(ActionSummary{});
            actions.back().id = id;
        }
        apply(actions[it->second], record);
    }
    return actions;
}

std::optional<ActionSummary> Journal::action(const std::string& id) const {
    for (auto& action : actions()) {
        if (action.id == id) {
            return action;
        }
    }
    return std::nullopt;
}

Status Journal::append(nlohmann::json record, TimePoint now) {
    record["seq"] = last_seq_ + 1;
    record["time"] = format_utc(now);
    // Replace invalid UTF-8 (from a command's output, say) instead of failing to log it.
    const std::string line =
        record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    if (auto written = append_durably(file_, line); !written) {
        return written;
    }
    ++last_seq_;
    records_.push_back(std::move(record));
    return {};
}

std::string Journal::next_action_id(const std::string& package, TimePoint now) const {
    std::string stamp = format_utc(now);  // 2026-11-26T06:30:00Z -> 20261126T063000Z
    std::erase(stamp, '-');
    std::erase(stamp, ':');
    const std::string short_id = package.size() > 9 ? package.substr(1, 8) : package;
    return stamp + "-" + short_id + "-" + std::to_string(last_seq_ + 1);
}

nlohmann::json to_json(const JournalFile& file) {
    nlohmann::json json = {{"role", file.role},
                           {"original", path_to_utf8(file.original)},
                           {"quarantined", path_to_utf8(file.quarantined)},
                           {"sha256", file.sha256},
                           {"size", file.size}};
    if (file.security) {
        json["security"] = to_json(*file.security);
    }
    return json;
}

nlohmann::json to_json(const ActionSummary& action) {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& file : action.files) {
        files.push_back(to_json(file));
    }
    nlohmann::json json = {{"id", action.id},           {"time", format_utc(action.time)},
                           {"kind", action.kind},       {"package", action.package},
                           {"mode", action.mode},       {"reason", action.reason},
                           {"files", std::move(files)}, {"result", to_string(action.result)},
                           {"detail", action.detail}};
    if (action.kind == "acl") {
        json["path"] = path_to_utf8(action.acl_path);
        json["account"] = action.account;
        json["saved_descriptor"] = action.saved_descriptor;
    }
    return json;
}

}  // namespace psguard
