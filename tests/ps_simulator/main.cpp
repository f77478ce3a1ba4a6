// psguard-ps-simulator: a stand-in for the Symantec Package Server agent (POSIX), for psguard's
// integration tests and the demo, where it is the "refresh command" psguard runs after moving a
// stale package's snapshot.xml and PackageStatus.xml to quarantine. Independent of psguard's own
// code on purpose.
//
//   psguard-ps-simulator refresh --manifest M.json --delivery D --status S
//       --ns-url https://localhost:PORT --ca-file CA --server PS01
//       [--run-as USER] [--agent-log FILE] [--only GUID ...]
//
// One JSON line per package on stdout: {"guid", "rebuilt", "reported", "error"}.
// Exit 0: every package handled (a denied write is the agent's behaviour, not a failure);
// 2: usage error; 1: unexpected failure (the NS unreachable or refusing, the run-as child lost).
#include <exception>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "manifest.hpp"
#include "ns_reporter.hpp"
#include "refresh.hpp"
#include "run_as.hpp"
#include "tree_writer.hpp"

namespace {

namespace fs = std::filesystem;
using namespace psguard::simulator;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

struct CommandLine {
    fs::path manifest;
    fs::path delivery;
    fs::path status;
    std::string ns_url;
    fs::path ca_file;
    std::string server;
    std::string run_as;
    fs::path agent_log;
    std::vector<std::string> only;
};

class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

void require_folder(const fs::path& path, const char* option) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
        throw UsageError(std::string(option) + " " + path.string() + ": not a folder");
    }
}

// The manifest's packages, or those named by --only (any case). A GUID the manifest does not
// hold gets a line of its own: the agent does not know that package.
std::vector<PackageResult> select(const Manifest& manifest, const std::vector<std::string>& only,
                                  std::vector<const ManifestPackage*>& selected) {
    std::vector<PackageResult> unknown;
    if (only.empty()) {
        for (const auto& package : manifest.packages) {
            selected.push_back(&package);
        }
        return unknown;
    }
    for (const auto& guid : only) {
        if (!is_braced_guid(guid)) {
            throw UsageError("--only " + guid + ": not a GUID in braces");
        }
    }
    for (const auto& package : manifest.packages) {
        for (const auto& guid : only) {
            if (same_guid(guid, package.guid)) {
                selected.push_back(&package);
                break;
            }
        }
    }
    for (const auto& guid : only) {
        bool known = false;
        for (const auto& package : manifest.packages) {
            known = known || same_guid(guid, package.guid);
        }
        if (!known) {
            PackageResult result;
            result.guid = guid;
            result.error = "not in the manifest: the agent does not hold this package";
            unknown.push_back(std::move(result));
        }
    }
    return unknown;
}

void print(const PackageResult& result) {
    std::cout << result.to_json().dump() << std::endl;
    if (result.error) {
        std::cerr << "psguard-ps-simulator: " << result.guid << ": " << *result.error << '\n';
    }
}

int refresh(const CommandLine& command) {
    // Everything the command line says is checked before anything is written.
    RefreshOptions options;
    std::optional<NsReporter> reporter;
    Manifest manifest;
    std::vector<const ManifestPackage*> selected;
    std::vector<PackageResult> unknown;
    try {
        manifest = load_manifest(command.manifest);
        require_folder(command.delivery, "--delivery");
        require_folder(command.status, "--status");
        if (command.server.empty()) {
            throw UsageError("--server must not be empty");
        }
        reporter.emplace(parse_ns_url(command.ns_url), command.ca_file);
        // Absolute (not resolved: a root reached through a link stays as named), so the agent
        // log and the messages show full paths as the agent's do.
        options.delivery = fs::absolute(command.delivery);
        options.status = fs::absolute(command.status);
        options.server = command.server;
        if (!command.run_as.empty()) {
            options.run_as = lookup_account(command.run_as);
            check_can_run_as(*options.run_as);
        }
        if (!command.agent_log.empty()) {
            options.agent_log = command.agent_log;
        }
        unknown = select(manifest, command.only, selected);
    } catch (const ManifestError& error) {
        std::cerr << "psguard-ps-simulator: " << error.what() << '\n';
        return kExitUsage;
    } catch (const UsageError& error) {
        std::cerr << "psguard-ps-simulator: " << error.what() << '\n';
        return kExitUsage;
    } catch (const RunAsUsageError& error) {
        std::cerr << "psguard-ps-simulator: " << error.what() << '\n';
        return kExitUsage;
    } catch (const NsUsageError& error) {
        std::cerr << "psguard-ps-simulator: " << error.what() << '\n';
        return kExitUsage;
    }

    Refresher refresher(std::move(options), *reporter);
    int exit_code = kExitOk;
    for (const ManifestPackage* package : selected) {
        const PackageResult result = refresher.refresh(*package);
        print(result);
        if (result.unexpected) {
            exit_code = kExitFailure;
        }
    }
    for (const auto& result : unknown) {
        print(result);
    }
    return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"psguard-ps-simulator: a stand-in for the Symantec Package Server agent"};
    app.require_subcommand(1);

    CommandLine command;
    auto* refresh_command = app.add_subcommand(
        "refresh", "rebuild missing snapshot.xml/PackageStatus.xml and re-report to the NS");
    refresh_command
        ->add_option("--manifest", command.manifest,
                     "JSON: the packages the agent holds (guid, version, files)")
        ->required();
    refresh_command->add_option("--delivery", command.delivery, "the Package Delivery folder")
        ->required();
    refresh_command
        ->add_option("--status", command.status, "the Package Server Agent/PackageStatus folder")
        ->required();
    refresh_command->add_option("--ns-url", command.ns_url, "https://host:port of the NS emulator")
        ->required();
    refresh_command->add_option("--ca-file", command.ca_file, "the only CA trusted for the NS")
        ->required();
    refresh_command->add_option("--server", command.server, "this Package Server's name on the NS")
        ->required();
    refresh_command->add_option("--run-as", command.run_as,
                                "the Package Service account the status writes run as");
    refresh_command->add_option("--agent-log", command.agent_log,
                                "the agent log the access-denied events are appended to");
    refresh_command->add_option("--only", command.only, "refresh only these package GUIDs");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        const int code = app.exit(error);
        return code == 0 ? kExitOk : kExitUsage;
    }

    try {
        return refresh(command);
    } catch (const std::exception& error) {
        std::cerr << "psguard-ps-simulator: " << error.what() << '\n';
        return kExitFailure;
    }
}
