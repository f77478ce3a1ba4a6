#include <cstdlib>
#include <iostream>
#include <string_view>

#include "console.hpp"

#include "commands/commands.hpp"
#include "commands/config_source.hpp"
#include "cycle/check_cycle.hpp"

namespace psguard {
namespace {

// Colour only for a person at a terminal that can show it, unless NO_COLOR is set
// (https://no-color.org: present and not empty).
bool colour_wanted() {
    const char* no_color = std::getenv("NO_COLOR");
    const char* term = std::getenv("TERM");
    if ((no_color != nullptr && *no_color != '\0') ||
        (term != nullptr && std::string_view(term) == "dumb")) {
        return false;
    }
    return stdout_is_colour_terminal();
}

}  // namespace

int run_check_command(const CheckOptions& options) {
    auto config = load_command_config(options.config_file, options.overrides);
    if (!config) {
        std::cerr << config.error().message << '\n';
        return kExitUsage;
    }
    auto ns = make_ns_client(*config);
    if (!ns) {
        std::cerr << ns.error().message << '\n';
        return kExitUsage;
    }
    CheckReport report;
    if (options.heal || options.dry_run) {
        // Healing needs the history and the journal: open (and lock) the state folder.
        auto state = StateDir::open(config->paths.state_dir);
        if (!state) {
            std::cerr << state.error().message << '\n';
            return kExitUsage;
        }
        CycleOptions cycle;
        cycle.heal = options.heal;
        cycle.dry_run = options.dry_run;
        report = run_cycle(*config, **ns, **state, cycle, now_seconds());
    } else {
        report = run_check_cycle(*config, **ns);
    }
    if (options.json) {
        std::cout << to_json(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                  << '\n';
    } else {
        TableOptions table;
        table.all = options.all;
        table.colour = colour_wanted();
        std::cout << to_table(report, table);
    }
    return report.exit_code();
}

}  // namespace psguard
