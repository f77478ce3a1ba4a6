#include <iostream>

#include "commands/commands.hpp"
#include "commands/config_source.hpp"
#include "cycle/check_cycle.hpp"

namespace psguard {

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
        std::cout << to_table(report);
    }
    return report.exit_code();
}

}  // namespace psguard
