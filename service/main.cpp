// psguard: the command line. Parsing and dispatch only; each command lives in commands/.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <exception>
#include <iostream>

#include "commands/commands.hpp"
#include "commands/config_source.hpp"
#include "console.hpp"
#include "core/utf8_path.hpp"
#include "cycle/check_report.hpp"
#include "platform/host.hpp"
#include "run_host.hpp"
#include "service_control.hpp"

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
    // --set KEY=VALUE: wins over the installer's properties and the file (docs/configuration.md).
    std::vector<std::string> set_options;
    const auto add_set_option = [&](CLI::App* command) {
        command
            ->add_option("--set", set_options,
                         "override a setting: ns.url, ns.report_guid, credential_account, "
                         "endpoint.port or heal.enabled (KEY=VALUE, repeatable)")
            ->allow_extra_args(false);
    };

    psguard::CheckOptions check;
    auto* check_command = app.add_subcommand(
        "check",
        "one read-only cycle: compare the local packages with the NS and give a verdict "
        "per package (exit 0 healthy, 1 findings, 2 usage/config, 3 NS unusable)");
    add_config_option(check_command);
    add_set_option(check_command);
    check_command->add_flag("--json", check.json, "print one JSON document instead of a table");
    check_command->add_flag("--all", check.all,
                            "list every package in the table, not only those that need attention");
    check_command->add_flag("--heal", check.heal,
                            "heal stale packages within the guards (uses the state folder)");
    check_command->add_flag("--dry-run", check.dry_run,
                            "with --heal: print the heal plan, touch nothing");

    psguard::JournalOptions journal;
    auto* journal_command =
        app.add_subcommand("journal", "list the heal actions: id, time, package, files, result");
    add_config_option(journal_command);
    journal_command->add_flag("--json", journal.json, "print JSON");

    psguard::RestoreCommandOptions restore;
    auto* restore_command =
        app.add_subcommand("restore", "put an action's files back from quarantine, byte-identical");
    add_config_option(restore_command);
    auto* restore_id = restore_command->add_option("action-id", restore.action_id,
                                                   "the action to undo (see psguard journal)");
    auto* restore_since = restore_command->add_option(
        "--since", restore.since, "undo every action since this UTC time (2026-11-26T06:00:00Z)");
    restore_id->excludes(restore_since);
    restore_command->add_flag(
        "--force", restore.force,
        "replace files the agent rebuilt since (they are kept in quarantine)");

    auto* run_command = app.add_subcommand(
        "run",
        "the agent: cycles on a timer, on file changes and on request; the status "
        "endpoint; SIGTERM/Ctrl+C stop, SIGHUP reloads (on Windows: the service when "
        "the SCM starts it)");
    add_config_option(run_command);
    add_set_option(run_command);

    psguard::ServiceCommand service;
    auto* service_command = app.add_subcommand(
        "service", "Windows: install, uninstall, start or stop the psguard service (SCM)");
    add_config_option(service_command);
    service_command->add_option("action", service.action, "install | uninstall | start | stop")
        ->required()
        ->check(CLI::IsMember({"install", "uninstall", "start", "stop"}));

    psguard::StatusOptions status;
    auto* status_command = app.add_subcommand(
        "status",
        "what the running agent says, from its local endpoint (exit as its last cycle: 0, 1, "
        "3; 4 when no agent answers or it is unhealthy)");
    add_config_option(status_command);
    add_set_option(status_command);
    status_command->add_flag("--json", status.json, "print the endpoint's JSON");

#ifndef _WIN32
    psguard::DemoOptions demo;
    std::optional<std::string> demo_tools;
    auto* demo_command = app.add_subcommand(
        "demo",
        "the KB failure on a throw-away sandbox Package Server (NS emulator, simulated agent, "
        "the real agent loop), narrated from diagnosis to verified heal; exit 0 when it ends "
        "healthy");
    demo_command->add_flag("--keep", demo.keep, "keep the sandbox for exploring");
    demo_command->add_option("--packages", demo.packages, "packages in the sandbox")
        ->check(CLI::Range(8, 5000))
        ->capture_default_str();
    demo_command->add_option("--tools-dir", demo_tools,
                             "folder holding psguard-ns-emulator and psguard-ps-simulator "
                             "(default: beside psguard, or the build tree)");
#endif

    psguard::CollectOptions collect;
    std::optional<std::string> collect_out;
    auto* collect_command = app.add_subcommand(
        "collect",
        "write an anonymised support bundle (zip): configuration, detected "
        "paths, a read-only check, the agent's last report, sample XML files, log evidence, the "
        "NS answer's columns and first rows");
    add_config_option(collect_command);
    collect_command->add_option("--out", collect_out,
                                "the archive to write (default: psguard-collect-<UTC time> in "
                                "the current folder)");
    collect_command->add_flag("--hide-guids", collect.hide_guids,
                              "replace package GUIDs by placeholders too");

    std::string reset_package;
    auto* reset_command =
        app.add_subcommand("reset", "clear a package's heal_failed so psguard may heal it again");
    add_config_option(reset_command);
    reset_command->add_option("guid", reset_package, "the package GUID")->required();

    auto* validate_command =
        app.add_subcommand("validate-config",
                           "check a configuration file exactly as the service would load it "
                           "(exit 0 valid, 2 invalid)");
    add_config_option(validate_command);
    add_set_option(validate_command);

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
    psguard::ConfigOverrides overrides;
    for (const auto& text : set_options) {
        auto item = psguard::parse_set_option(text);
        if (!item) {
            std::cerr << item.error().message << '\n';
            return psguard::kExitUsage;
        }
        overrides.push_back(std::move(item).value());
    }
    if (check_command->parsed()) {
        check.config_file = config_path();
        check.overrides = overrides;
        return psguard::run_check_command(check);
    }
    if (service_command->parsed()) {
        service.config_file = config_path();
        return psguard::run_service_command(service);
    }
    if (run_command->parsed()) {
        return psguard::run_host(psguard::config_source(config_path(), overrides));
    }
    if (journal_command->parsed()) {
        journal.config_file = config_path();
        return psguard::run_journal_command(journal);
    }
    if (restore_command->parsed()) {
        if (restore.action_id.empty() == restore.since.empty()) {
            std::cerr << "restore: give an action id or --since TIME\n";
            return psguard::kExitUsage;
        }
        restore.config_file = config_path();
        return psguard::run_restore_command(restore);
    }
#ifndef _WIN32
    if (demo_command->parsed()) {
        if (demo_tools) {
            demo.tools_dir = psguard::utf8_to_path(*demo_tools);
        }
        return psguard::run_demo_command(demo);
    }
#endif
    if (status_command->parsed()) {
        status.config_file = config_path();
        status.overrides = overrides;
        return psguard::run_status_command(status);
    }
    if (collect_command->parsed()) {
        collect.config_file = config_path();
        if (collect_out) {
            collect.out = psguard::utf8_to_path(*collect_out);
        }
        return psguard::run_collect_command(collect);
    }
    if (reset_command->parsed()) {
        return psguard::run_reset_command(config_path(), reset_package);
    }
    if (validate_command->parsed()) {
        return psguard::run_validate_config_command(config_path(), overrides);
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
