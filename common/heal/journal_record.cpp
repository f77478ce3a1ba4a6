#include "heal/journal_record.hpp"

#include <array>
#include <map>

#include "core/utf8_path.hpp"

namespace psguard {
namespace {

template <typename... Visitors>
struct Overloaded : Visitors... {
    using Visitors::operator()...;
};
// Spelled out: clang before 17 has no class template argument deduction for aggregates.
template <typename... Visitors>
Overloaded(Visitors...) -> Overloaded<Visitors...>;

constexpr std::array kKinds = {ActionKind::files, ActionKind::acl, ActionKind::policy_refresh};
constexpr std::array kTriggers = {RefreshTrigger::agent, RefreshTrigger::command,
                                  RefreshTrigger::restart_service};
constexpr std::array kModes = {ActionMode::quarantine, ActionMode::remove, ActionMode::acl};
constexpr std::array kRoles = {FileRole::snapshot, FileRole::package_status};
constexpr std::array kOutcomes = {
    Outcome::files_done,    Outcome::acl_granted, Outcome::agent_requested, Outcome::verified,
    Outcome::verify_failed, Outcome::failed,      Outcome::rolled_back,     Outcome::restored};

const char* to_string(Outcome outcome) {
    switch (outcome) {
        case Outcome::files_done:
            return "files_done";
        case Outcome::acl_granted:
            return "acl_granted";
        case Outcome::agent_requested:
            return "agent_requested";
        case Outcome::verified:
            return "verified";
        case Outcome::verify_failed:
            return "verify_failed";
        case Outcome::failed:
            return "failed";
        case Outcome::rolled_back:
            return "rolled_back";
        case Outcome::restored:
            return "restored";
    }
    return "failed";
}

// The value whose to_string is `text`: the names have one source.
template <typename Enum, std::size_t N>
std::optional<Enum> from_string(std::string_view text, const std::array<Enum, N>& values) {
    for (const Enum value : values) {
        if (text == to_string(value)) {
            return value;
        }
    }
    return std::nullopt;
}

template <typename Enum, std::size_t N>
Result<Enum> field_enum(const nlohmann::json& json, const char* field, const char* fallback,
                        const std::array<Enum, N>& values) {
    const std::string text = json.value(field, fallback);
    if (auto value = from_string(text, values)) {
        return *value;
    }
    return fail("unknown " + std::string(field) + " \"" + text + "\"");
}

Result<JournalFile> file_from_json(const nlohmann::json& json) {
    auto role = field_enum(json, "role", "", kRoles);
    if (!role) {
        return role.error();
    }
    if (json.contains("size") && !json["size"].is_number_unsigned()) {
        return fail("a file size that is not a byte count");
    }
    JournalFile file;
    file.role = *role;
    // Paths as path_to_utf8 stored them: a name that is not UTF-8 comes back byte for byte.
    file.original = escaped_utf8_to_path(json.value("original", ""));
    file.quarantined = escaped_utf8_to_path(json.value("quarantined", ""));
    file.sha256 = json.value("sha256", "");
    file.size = json.value("size", std::uint64_t{0});
    if (const auto security = json.find("security"); security != json.end()) {
        // A security psguard cannot read back would restore the file as it was not: a damaged
        // line, like any other malformed field of a known event.
        auto read = file_security_from_json(*security);
        if (!read) {
            return fail("a file security that does not parse: " + read.error().message);
        }
        file.security = std::move(read).value();
    }
    return file;
}

Result<JournalEvent> intent_from_json(const nlohmann::json& json) {
    auto kind = field_enum(json, "kind", "files", kKinds);
    if (!kind) {
        return kind.error();
    }
    auto mode = field_enum(json, "mode", *kind == ActionKind::acl ? "acl" : "quarantine", kModes);
    if (!mode) {
        return mode.error();
    }
    IntentEvent intent;
    intent.kind = *kind;
    intent.mode = *mode;
    intent.reason = json.value("reason", "");
    intent.package = json.value("package", "");
    for (const auto& entry : json.value("files", nlohmann::json::array())) {
        auto file = file_from_json(entry);
        if (!file) {
            return file.error();
        }
        intent.files.push_back(std::move(file).value());
    }
    intent.acl_path = escaped_utf8_to_path(json.value("path", ""));
    intent.account = json.value("account", "");
    intent.descriptor = json.value("descriptor", "");
    return JournalEvent{std::move(intent)};
}

Result<JournalEvent> refresh_from_json(const nlohmann::json& json) {
    RefreshEvent refresh;
    refresh.summary = json.value("summary", "");
    if (json.contains("trigger")) {
        auto trigger = field_enum(json, "trigger", "", kTriggers);
        if (!trigger) {
            return trigger.error();
        }
        refresh.trigger = *trigger;
    }
    if (json.contains("ok")) {
        refresh.ok = json["ok"].get<bool>();
    }
    if (json.contains("hresult")) {
        const auto& failure = json.value("failure", nlohmann::json(nullptr));
        refresh.agent = AgentCall{json["hresult"].get<std::string>(),
                                  failure.is_string() ? failure.get<std::string>() : ""};
    }
    if (json.contains("command")) {
        const auto& code = json.value("exit_code", nlohmann::json(nullptr));
        refresh.run =
            RefreshRun{json["command"].get<std::vector<std::string>>(),
                       code.is_number_integer() ? std::optional(code.get<int>()) : std::nullopt,
                       json.value("output", "")};
    }
    if (json.contains("service")) {
        refresh.service = json["service"].get<std::string>();
    }
    return JournalEvent{std::move(refresh)};
}

Result<JournalEvent> event_from_json(const std::string& name, const nlohmann::json& json) {
    if (name == "intent") {
        return intent_from_json(json);
    }
    if (name == "file_moved" || name == "file_deleted" || name == "replaced_kept") {
        auto role = field_enum(json, "role", "", kRoles);
        if (!role) {
            return role.error();
        }
        if (name == "replaced_kept") {
            return JournalEvent{
                ReplacedKeptEvent{*role, escaped_utf8_to_path(json.value("path", ""))}};
        }
        return JournalEvent{FileDoneEvent{*role, name == "file_deleted"}};
    }
    if (name == "refresh") {
        return refresh_from_json(json);
    }
    if (auto outcome = from_string(name, kOutcomes)) {
        OutcomeEvent event{*outcome, std::nullopt, std::nullopt};
        if (json.contains("detail")) {
            event.detail = json["detail"].get<std::string>();
        }
        if (json.contains("hresult")) {
            event.hresult = json["hresult"].get<std::string>();
        }
        return JournalEvent{std::move(event)};
    }
    return JournalEvent{OtherEvent{name}};
}

void add_event_fields(nlohmann::json& json, const JournalEvent& event) {
    std::visit(Overloaded{
                   [&](const IntentEvent& intent) {
                       json["reason"] = intent.reason;
                       if (intent.kind == ActionKind::policy_refresh) {
                           json["kind"] = to_string(intent.kind);
                           return;
                       }
                       json["mode"] = to_string(intent.mode);
                       if (intent.kind == ActionKind::acl) {
                           json["kind"] = to_string(intent.kind);
                           json["path"] = path_to_utf8(intent.acl_path);
                           json["account"] = intent.account;
                           json["descriptor"] = intent.descriptor;
                           return;
                       }
                       json["package"] = intent.package;
                       nlohmann::json files = nlohmann::json::array();
                       for (const auto& file : intent.files) {
                           files.push_back(to_json(file));
                       }
                       json["files"] = std::move(files);
                   },
                   [&](const FileDoneEvent& done) { json["role"] = to_string(done.role); },
                   [&](const ReplacedKeptEvent& kept) {
                       json["role"] = to_string(kept.role);
                       json["path"] = path_to_utf8(kept.path);
                   },
                   [&](const RefreshEvent& refresh) {
                       json["summary"] = refresh.summary;
                       if (refresh.trigger) {
                           json["trigger"] = to_string(*refresh.trigger);
                       }
                       if (refresh.ok) {
                           json["ok"] = *refresh.ok;
                       }
                       if (refresh.agent) {
                           json["hresult"] = refresh.agent->hresult;
                           json["failure"] = refresh.agent->failure.empty()
                                                 ? nlohmann::json(nullptr)
                                                 : nlohmann::json(refresh.agent->failure);
                       }
                       if (refresh.service) {
                           json["service"] = *refresh.service;
                       }
                       if (refresh.run) {
                           json["command"] = refresh.run->command;
                           json["exit_code"] = refresh.run->exit_code
                                                   ? nlohmann::json(*refresh.run->exit_code)
                                                   : nlohmann::json(nullptr);
                           json["output"] = refresh.run->output;
                       }
                   },
                   [&](const OutcomeEvent& outcome) {
                       if (outcome.detail) {
                           json["detail"] = *outcome.detail;
                       }
                       if (outcome.hresult) {
                           json["hresult"] = *outcome.hresult;
                       }
                   },
                   [](const OtherEvent&) {},
               },
               event);
}

// Folds one event into the action it belongs to.
void apply(ActionSummary& action, const JournalRecord& record) {
    std::visit(Overloaded{
                   [&](const IntentEvent& intent) {
                       action.time = record.time;
                       action.kind = intent.kind;
                       action.mode = intent.mode;
                       action.reason = intent.reason;
                       action.package = intent.package;
                       action.files.insert(action.files.end(), intent.files.begin(),
                                           intent.files.end());
                       action.acl_path = intent.acl_path;
                       action.account = intent.account;
                       action.saved_descriptor = intent.descriptor;
                       action.result = ActionResult::in_progress;
                   },
                   [&](const FileDoneEvent& done) { action.moved_roles.push_back(done.role); },
                   [&](const RefreshEvent& refresh) { action.detail = refresh.summary; },
                   [&](const OutcomeEvent& outcome) {
                       switch (outcome.outcome) {
                           case Outcome::files_done:
                           case Outcome::acl_granted:
                           case Outcome::agent_requested:
                               action.result = ActionResult::awaiting_verification;
                               break;
                           case Outcome::verified:
                               action.result = ActionResult::verified;
                               action.detail = outcome.detail.value_or(action.detail);
                               return;
                           case Outcome::verify_failed:
                               action.result = ActionResult::verify_failed;
                               break;
                           case Outcome::failed:
                               action.result = ActionResult::failed;
                               break;
                           case Outcome::rolled_back:
                               action.result = ActionResult::rolled_back;
                               break;
                           case Outcome::restored:
                               action.result = ActionResult::restored;
                               break;
                       }
                       action.detail = outcome.detail.value_or("");
                   },
                   [](const ReplacedKeptEvent&) {},
                   [](const OtherEvent&) {},
               },
               record.event);
}

}  // namespace

const char* to_string(ActionKind kind) {
    switch (kind) {
        case ActionKind::files:
            return "files";
        case ActionKind::acl:
            return "acl";
        case ActionKind::policy_refresh:
            return "policy_refresh";
    }
    return "files";
}

const char* to_string(ActionMode mode) {
    switch (mode) {
        case ActionMode::quarantine:
            return "quarantine";
        case ActionMode::remove:
            return "delete";
        case ActionMode::acl:
            return "acl";
    }
    return "quarantine";
}

const char* to_string(FileRole role) {
    switch (role) {
        case FileRole::snapshot:
            return "snapshot";
        case FileRole::package_status:
            return "package_status";
    }
    return "snapshot";
}

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

bool is_finished(ActionResult result) {
    return result != ActionResult::in_progress && result != ActionResult::awaiting_verification;
}

std::string event_name(const JournalEvent& event) {
    return std::visit(
        Overloaded{
            [](const IntentEvent&) -> std::string { return "intent"; },
            [](const FileDoneEvent& done) -> std::string {
                return done.deleted ? "file_deleted" : "file_moved";
            },
            [](const ReplacedKeptEvent&) -> std::string { return "replaced_kept"; },
            [](const RefreshEvent&) -> std::string { return "refresh"; },
            [](const OutcomeEvent& outcome) -> std::string { return to_string(outcome.outcome); },
            [](const OtherEvent& other) { return other.name; },
        },
        event);
}

nlohmann::json to_json(const JournalRecord& record) {
    nlohmann::json json = {{"action", record.action},
                           {"event", event_name(record.event)},
                           {"seq", record.seq},
                           {"time", format_utc(record.time)}};
    add_event_fields(json, record.event);
    return json;
}

Result<JournalRecord> record_from_json(const nlohmann::json& json) try {
    if (!json.is_object() || !json.contains("action") || !json["action"].is_string() ||
        !json.contains("event") || !json["event"].is_string()) {
        return fail("not a journal record (an object with \"action\" and \"event\")");
    }
    auto event = event_from_json(json["event"].get<std::string>(), json);
    if (!event) {
        return event.error();
    }
    JournalRecord record;
    record.action = json["action"].get<std::string>();
    record.seq = json.value("seq", std::uint64_t{0});
    record.time = parse_utc(json.value("time", "")).value_or(TimePoint{});
    record.event = std::move(event).value();
    return record;
} catch (const nlohmann::json::exception& e) {
    return fail(std::string("a field of the wrong type: ") + e.what());
}

std::string encode(const JournalRecord& record) {
    return to_json(record).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<JournalRecord> decode(const std::string& line) {
    auto json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) {
        return fail("not JSON");
    }
    return record_from_json(json);
}

std::vector<ActionSummary> summarize(const std::vector<JournalRecord>& records,
                                     const std::string* wanted) {
    std::vector<ActionSummary> actions;
    std::map<std::string, std::size_t> index;
    for (const auto& record : records) {
        if (wanted != nullptr && record.action != *wanted) {
            continue;
        }
        auto [it, inserted] = index.emplace(record.action, actions.size());
        if (inserted) {
            actions.push_back(ActionSummary{});
            actions.back().id = record.action;
        }
        apply(actions[it->second], record);
    }
    return actions;
}

nlohmann::json to_json(const JournalFile& file) {
    nlohmann::json json = {{"role", to_string(file.role)},
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
    nlohmann::json json = {{"id", action.id},
                           {"time", format_utc(action.time)},
                           {"kind", to_string(action.kind)},
                           {"package", action.package},
                           {"mode", to_string(action.mode)},
                           {"reason", action.reason},
                           {"files", std::move(files)},
                           {"result", to_string(action.result)},
                           {"detail", action.detail}};
    if (action.kind == ActionKind::acl) {
        json["path"] = path_to_utf8(action.acl_path);
        json["account"] = action.account;
        json["saved_descriptor"] = action.saved_descriptor;
    }
    return json;
}

}  // namespace psguard
