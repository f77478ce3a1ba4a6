// One refresh of the Package Server agent, package by package: what the agent does when it is
// told to rebuild its files and re-send its status (psguard's "refresh command").
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "manifest.hpp"
#include "ns_reporter.hpp"
#include "run_as.hpp"
#include "tree_writer.hpp"

namespace psguard::simulator {

struct RefreshOptions {
    std::filesystem::path delivery;  // Package Delivery
    std::filesystem::path status;    // Package Server Agent/PackageStatus
    std::string server;              // this Package Server's name on the NS
    std::optional<Account> run_as;   // the Package Service account; none: this process
    std::optional<std::filesystem::path> agent_log;
};

struct PackageResult {
    std::string guid;
    std::vector<std::string> rebuilt;  // file names written by this refresh
    bool reported = false;             // the NS was told Ready
    std::optional<std::string> error;
    bool unexpected = false;  // a failure of the simulator or the NS, not the agent's behaviour

    // {"guid", "rebuilt", "reported", "error"}, in that order.
    nlohmann::ordered_json to_json() const;
};

class Refresher {
  public:
    // Opens the Package Delivery root; throws TreeError when it cannot.
    Refresher(RefreshOptions options, NsReporter& reporter);

    PackageResult refresh(const ManifestPackage& package);

  private:
    // Package Delivery: the package's folder, its cache, its snapshot.xml. False: not Ready.
    bool check_delivery(const ManifestPackage& package, PackageResult& result);
    // PackageStatus.xml, as the Package Service account. False: not written, not reported.
    bool write_status(const ManifestPackage& package, PackageResult& result);
    void report(const ManifestPackage& package, PackageResult& result);

    RefreshOptions options_;
    NsReporter& reporter_;
    UniqueFd delivery_;
    bool ns_unreachable_ = false;
};

}  // namespace psguard::simulator
