#include "refresh.hpp"

#include <exception>
#include <utility>

#include "agent_log.hpp"

namespace psguard::simulator {

nlohmann::ordered_json PackageResult::to_json() const {
    nlohmann::ordered_json line;
    line["guid"] = guid;
    line["rebuilt"] = rebuilt;
    line["reported"] = reported;
    line["error"] = error ? nlohmann::ordered_json(*error) : nlohmann::ordered_json(nullptr);
    return line;
}

Refresher::Refresher(RefreshOptions options, NsReporter& reporter)
    : options_(std::move(options)), reporter_(reporter), delivery_(open_root(options_.delivery)) {}

PackageResult Refresher::refresh(const ManifestPackage& package) {
    PackageResult result;
    result.guid = package.guid;
    try {
        if (check_delivery(package, result) && write_status(package, result)) {
            report(package, result);
        }
    } catch (const std::exception& failure) {
        result.error = failure.what();
        result.unexpected = true;
    }
    return result;
}

bool Refresher::check_delivery(const ManifestPackage& package, PackageResult& result) {
    try {
        const auto folder = find_package_folder(delivery_.get(), options_.delivery, package.guid);
        if (!folder) {
            result.error = "not Ready: no folder for the package in " + options_.delivery.string();
            return false;
        }
        const auto folder_path = options_.delivery / *folder;
        const UniqueFd package_fd =
            open_package_folder(delivery_.get(), options_.delivery, *folder);
        if (const auto problem = cache_problem(package_fd.get(), folder_path, package)) {
            result.error = "not Ready: " + *problem;
            return false;
        }
        if (write_file_if_missing(package_fd.get(), folder_path, kSnapshotFile,
                                  snapshot_xml(package))) {
            result.rebuilt.emplace_back(kSnapshotFile);
        }
        return true;
    } catch (const TreeError& error) {
        result.error = error.what();
        return false;
    }
}

bool Refresher::write_status(const ManifestPackage& package, PackageResult& result) {
    StatusWrite write;
    if (options_.run_as) {
        const std::string answer = run_as(*options_.run_as, [this, &package] {
            return write_package_status(options_.status, package).to_json().dump();
        });
        write = StatusWrite::from_json(nlohmann::json::parse(answer));
    } else {
        write = write_package_status(options_.status, package);
    }
    switch (write.outcome) {
        case StatusWrite::Outcome::written:
            result.rebuilt.emplace_back(kPackageStatusFile);
            return true;
        case StatusWrite::Outcome::present:
            return true;
        case StatusWrite::Outcome::failed:
            break;
    }
    if (write.denied()) {
        // The KB's symptom: the agent logs it, the status event never leaves.
        if (options_.agent_log) {
            append_access_denied(*options_.agent_log, write.path);
        }
        result.error = "access denied" +
                       (options_.run_as ? " to " + options_.run_as->name : std::string{}) + ": " +
                       write.message;
    } else {
        result.error = write.message;
    }
    return false;
}

void Refresher::report(const ManifestPackage& package, PackageResult& result) {
    if (ns_unreachable_) {
        result.error = "not reported: the NS was unreachable for an earlier package";
        result.unexpected = true;
        return;
    }
    const ReportOutcome outcome =
        reporter_.report(options_.server, package.guid, "Ready", package.version);
    if (outcome.ok()) {
        result.reported = true;
        return;
    }
    result.error = outcome.error;
    result.unexpected = true;
    ns_unreachable_ = !outcome.delivered;
}

}  // namespace psguard::simulator
