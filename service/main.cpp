// psguard: the command line. Parsing and dispatch only; each command lives in commands/.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <exception>
#include <iostream>

#include "commands/commands.hpp"
#include "console.hpp"
#include "core/utf8_path.hpp"
#include "cycle/check_report.hpp"

namespace {

int run(int argc, char** argv) {
    CLI::App app{"psguard - Package Server Guard for Symantec/Broadcom ITMS Package Servers"};
    app.set_version_flag("--version", std::string("psguard ") + PSGUARD_VERSION);
    app.require_subcommand(1);

    std::optional<std::string> config_file;  // UTF-8; made a path by utf8_to_path
    const auto add_config_option = [&](CLI::App* command) {
        command->add_option("--config", config_file,
                            "configuration file (default: the platform's standard path)");
    };

    psguard::CheckOptions check;
    auto* check_command = app.add_subcommand(
        "check",
        "one read-only cycle: compare the local packages with the NS and give a verdict "
        "per package (exit 0 healthy, 1 findings, 2 usage/config, 3 NS unusable)");
    add_config_option(check_command);
    check_command->add_flag("--json", check.json, "print one JSON document instead of a table");

    auto* validate_command =
        app.add_subcommand("validate-config",
                           "check a configuration file exactly as the service would load it "
                           "(exit 0 valid, 2 invalid)");
    add_config_option(validate_command);

    // CLI11 wants the program name out and the arguments in reverse order.
    std::vector<std::string> arguments = psguard::utf8_arguments(argc, argv);
    arguments.erase(arguments.begin());
    std::reverse(arguments.begin(), arguments.end());
    try {
        app.parse(arguments);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : psguard::kExitUsage;
    }

    const auto config_path = [&]() -> std::optional<std::filesystem::path> {
        if (!config_file) {
            return std::nullopt;
        }
        return psguard::utf8_to_path(*config_file);
    };
    if (check_command->parsed()) {
        check.config_file = config_path();
        return psguard::run_check_command(check);
    }
    if (validate_command->parsed()) {
        return psguard::run_validate_config_command(config_path());
    }
    return psguard::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
    psguard::prepare_console();
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "psguard: unexpected error: " << e.what() << '\n';
        return psguard::kExitUsage;
    }
}
