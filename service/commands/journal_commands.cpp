// `psguard journal`, `psguard restore`, `psguard reset`: the operator's side of self-heal.
#include <iostream>

#include "commands/commands.hpp"
#include "commands/config_source.hpp"
#include "core/guid.hpp"
#include "core/utf8_path.hpp"
#include "cycle/check_report.hpp"
#include "cycle/state_dir.hpp"
#include "heal/acl_repairer.hpp"
#include "heal/healer.hpp"

namespace psguard {
namespace {

struct Loaded {
    Config config;
    std::unique_ptr<StateDir> state;
};

Result<Loaded> open_state(const std::optional<std::filesystem::path>& config_file) {
    auto config = load_command_config(config_file);
    if (!config) {
        return config.error();
    }
    auto state = StateDir::open(config->paths.state_dir);
    if (!state) {
        return state.error();
    }
    return Loaded{std::move(config).value(), std::move(state).value()};
}

}  // namespace

int run_journal_command(const JournalOptions& options) {
    auto loaded = open_state(options.config_file);
    if (!loaded) {
        std::cerr << loaded.error().message << '\n';
        return kExitUsage;
    }
    // Every action, not only the live ones a cycle keeps.
    const auto all = loaded->state->journal().all_actions();
    if (!all) {
        std::cerr << all.error().message << '\n';
        return kExitUsage;
    }
    const auto& actions = all.value();
    if (options.json) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& action : actions) {
            list.push_back(to_json(action));
        }
        std::cout << nlohmann::json{{"actions", std::move(list)}}.dump(2) << '\n';
        return 0;
    }
    if (actions.empty()) {
        std::cout << "The journal holds no action.\n";
        return 0;
    }
    for (const auto& action : actions) {
        const std::string subject = action.kind == ActionKind::acl
                                        ? "ACL of " + path_to_utf8(action.acl_path)
                                        : action.package;
        std::cout << action.id << "  " << format_utc(action.time) << "  " << subject << "  "
                  << to_string(action.result) << "  (" << to_string(action.mode) << ")\n";
        for (const auto& file : action.files) {
            std::cout << "    " << to_string(file.role) << ": " << path_to_utf8(file.original)
                      << "  sha256 " << file.sha256.substr(0, 16) << "...\n";
        }
        if (!action.detail.empty()) {
            std::cout << "    " << action.detail << '\n';
        }
    }
    return 0;
}

int run_restore_command(const RestoreCommandOptions& options) {
    auto loaded = open_state(options.config_file);
    if (!loaded) {
        std::cerr << loaded.error().message << '\n';
        return kExitUsage;
    }
    std::vector<std::string> ids;
    if (!options.action_id.empty()) {
        ids.push_back(options.action_id);
    } else {
        const auto since = parse_utc(options.since);
        if (!since) {
            std::cerr << "--since: expected a UTC time like 2026-11-26T06:30:00Z or a date like "
                         "2026-11-26, got \""
                      << options.since << "\"\n";
            return kExitUsage;
        }
        const auto all = loaded->state->journal().all_actions();
        if (!all) {
            std::cerr << all.error().message << '\n';
            return kExitUsage;
        }
        for (const auto& action : all.value()) {
            const bool still_applied = action.result == ActionResult::awaiting_verification ||
                                       action.result == ActionResult::verified ||
                                       action.result == ActionResult::verify_failed;
            // Files still in quarantine, and permissions psguard changed.
            const bool undoable =
                action.kind == ActionKind::acl || action.mode == ActionMode::quarantine;
            if (action.time >= *since && still_applied && undoable) {
                ids.push_back(action.id);
            }
        }
    }
    Healer healer(loaded->config.paths, loaded->config.heal, loaded->state->journal());
    AclRepairer acl_repairer(loaded->state->journal());
    int failures = 0;
    for (const auto& id : ids) {
        const auto action = loaded->state->journal().find_action(id);
        const bool acl = action && action.value() && action.value()->kind == ActionKind::acl;
        const Status restored =
            acl ? acl_repairer.restore(id, now_seconds())
                : healer.restore(id, RestoreOptions{options.force}, now_seconds());
        if (!restored) {
            std::cerr << restored.error().message << '\n';
            ++failures;
        } else {
            std::cout << "restored " << id << '\n';
            // The operator undid it: nothing is awaiting verification any more.
            for (auto& [package, entry] : loaded->state->history().packages) {
                if (entry.awaiting_action == id) {
                    entry.awaiting_action.clear();
                    entry.cycles_since_heal = 0;
                }
            }
        }
    }
    if (auto saved = loaded->state->save_history(); !saved) {
        std::cerr << saved.error().message << '\n';
    }
    if (auto saved = loaded->state->journal().save_index(); !saved) {
        std::cerr << saved.error().message << '\n';
    }
    for (const auto& notice : loaded->state->journal().take_notices()) {
        std::cerr << to_string(notice.kind) << ": " << notice.detail << '\n';
    }
    if (ids.empty()) {
        std::cout << "nothing to restore\n";
    }
    return failures == 0 ? 0 : kExitFindings;
}

int run_reset_command(const std::optional<std::filesystem::path>& config_file,
                      const std::string& package) {
    const auto id = normalise_guid(package, true);
    if (!id) {
        std::cerr << "reset: expected a package GUID, got \"" << package << "\"\n";
        return kExitUsage;
    }
    auto loaded = open_state(config_file);
    if (!loaded) {
        std::cerr << loaded.error().message << '\n';
        return kExitUsage;
    }
    auto& packages = loaded->state->history().packages;
    const auto it = packages.find(*id);
    if (it == packages.end() || (!it->second.heal_failed && it->second.attempts == 0)) {
        std::cout << *id << " has no failed heal to reset\n";
        return 0;
    }
    it->second.heal_failed = false;
    it->second.attempts = 0;
    if (auto saved = loaded->state->save_history(); !saved) {
        std::cerr << saved.error().message << '\n';
        return kExitUsage;
    }
    std::cout << "reset " << *id << ": psguard may heal it again\n";
    return 0;
}

}  // namespace psguard
