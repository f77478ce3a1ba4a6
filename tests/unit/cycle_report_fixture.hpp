// A check report made by the real cycle (run_cycle on a real package tree and state folder), for
// the tests of what shows a report: the endpoint's documents, metrics and page. Only the NS is a
// stand-in: its DataSet comes from a fake transport (the NS emulator over TLS is the integration
// tests' business). So the shapes these tests read are the shapes production emits.
#pragma once

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/utf8_path.hpp"
#include "cycle/check_cycle.hpp"
#include "ns/http_transport.hpp"
#include "unit/agent_log_lines.hpp"
#include "unit/temp_tree.hpp"

namespace psguard::test {

struct NsRow {
    std::string id;
    std::string name;
    std::string status;
    std::string version;
};

// The NS's answer to RunReportWithParameters for Package Server PS01, as the NS words it; or,
// with `down`, no answer at all (connection refused).
class DataSetTransport final : public HttpTransport {
  public:
    explicit DataSetTransport(std::vector<NsRow> rows, bool down = false)
        : rows_(std::move(rows)), down_(down) {}

    TransportOutcome post_form(const std::string&, const std::string&) override {
        if (down_) {
            return {std::nullopt, TransportError{TransportFailure::connect, "connection refused"}};
        }
        std::string body =
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<DataSet "
            "xmlns=\"http://Altiris.ASDK.NS.com\"><xs:schema id=\"NewDataSet\" xmlns=\"\" "
            "xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
            "xmlns:msdata=\"urn:schemas-microsoft-com:xml-msdata\"><xs:element "
            "name=\"NewDataSet\" msdata:IsDataSet=\"true\"><xs:complexType><xs:choice "
            "minOccurs=\"0\" maxOccurs=\"unbounded\"><xs:element name=\"Table\">"
            "<xs:complexType><xs:sequence>";
        for (const char* column :
             {"Package_x0020_Server", "Package_x0020_Name", "Status",
              "Package_x0020_Version_x0020_on_x0020_NS",
              "Version_x0020_Last_x0020_Reported_x0020_by_x0020_PS", "Package_x0020_GUID"}) {
            body += std::string("<xs:element name=\"") + column +
                    "\" type=\"xs:string\" minOccurs=\"0\"/>";
        }
        body +=
            "</xs:sequence></xs:complexType></xs:element></xs:choice></xs:complexType>"
            "</xs:element></xs:schema><diffgr:diffgram "
            "xmlns:diffgr=\"urn:schemas-microsoft-com:xml-diffgram-v1\"><NewDataSet xmlns=\"\">";
        for (const NsRow& row : rows_) {
            body += "<Table><Package_x0020_Server>PS01</Package_x0020_Server><Package_x0020_Name>" +
                    row.name + "</Package_x0020_Name><Status>" + row.status +
                    "</Status><Package_x0020_Version_x0020_on_x0020_NS>" + row.version +
                    "</Package_x0020_Version_x0020_on_x0020_NS><Version_x0020_Last_x0020_"
                    "Reported_x0020_by_x0020_PS>" +
                    row.version +
                    "</Version_x0020_Last_x0020_Reported_x0020_by_x0020_PS><Package_x0020_GUID>" +
                    row.id + "</Package_x0020_GUID></Table>";
        }
        body += "</NewDataSet></diffgr:diffgram></DataSet>";
        return {HttpResponse{200, "text/xml; charset=utf-8", body}, std::nullopt};
    }

  private:
    std::vector<NsRow> rows_;
    bool down_;
};

// The NS's answer listing `rows`, as one scripted outcome.
inline TransportOutcome dataset_answer(std::vector<NsRow> rows) {
    return DataSetTransport(std::move(rows)).post_form("", "");
}

inline constexpr const char* kHealthyId = "{6c821f5e-0000-4000-8000-000000000001}";
inline constexpr const char* kStaleId = "{6d417916-0000-4000-8000-000000000002}";
inline constexpr const char* kLocalOnlyId = "{7e000000-0000-4000-8000-000000000003}";

// What the scene holds besides the three packages (healthy, stale on the NS, unknown to the NS).
struct CycleScene {
    bool ns_down = false;
    // The agent's log holds the KB's two access-denied lines; its event queue has 12 events
    // waiting, 3 sent and 1 blocked (the queue's evidence follows the log's).
    bool evidence = false;
    std::string credential_account;  // empty: the ACL check does not run
    int extra_packages = 0;          // more packages, Ready here, unknown to the NS

    CycleScene& with_ns_down() {
        ns_down = true;
        return *this;
    }
    CycleScene& with_evidence() {
        evidence = true;
        return *this;
    }
    CycleScene& with_account(std::string account) {
        credential_account = std::move(account);
        return *this;
    }
    CycleScene& with_extra_packages(int count) {
        extra_packages = count;
        return *this;
    }
};

inline void write_package(const TempTree& tree, const std::string& id, const std::string& version) {
    tree.write(std::filesystem::path("Package Delivery") / id / "snapshot.xml",
               "<snapshot version=\"" + version + "\"/>");
    tree.write(std::filesystem::path("PackageStatus") / id / "PackageStatus.xml",
               "<PackageStatus status=\"Ready\" version=\"" + version + "\"/>");
}

// The configuration of a Package Server PS01 whose folders are in `tree`.
inline Config tree_config(const TempTree& tree) {
    Config config;
    config.server_name = "PS01";
    config.paths.package_delivery = tree / "Package Delivery";
    config.paths.package_status = tree / "PackageStatus";
    config.paths.state_dir = tree / "state";
    config.ns.url = "https://ns.example.com";
    config.ns.report_guid = "{a1b2c3d4-0000-4000-8000-000000000001}";
    return config;
}

// One cycle (read-only: heal off) over the scene, as the agent loop runs it.
inline CheckReport cycle_report(const CycleScene& scene = {}) {
    TempTree tree;
    write_package(tree, kHealthyId, "1601867730");
    write_package(tree, kStaleId, "7");
    write_package(tree, kLocalOnlyId, "3");
    for (int i = 0; i < scene.extra_packages; ++i) {
        char id[40];
        std::snprintf(id, sizeof id, "{6c821f5e-0000-4000-8000-%012d}", 100 + i);
        write_package(tree, id, "1");
    }
    Config config = tree_config(tree);
    config.credential_account = scene.credential_account;
    if (scene.evidence) {
        // The two lines of the Broadcom KB (tests/fixtures/evidence/agent-kb.log), logged a
        // minute ago (older evidence ages out of the report: evidence.retention), the first
        // naming a package folder here as the KB's names the drive of its Package Server.
        const std::time_t logged = std::chrono::system_clock::to_time_t(
            std::chrono::system_clock::now() - std::chrono::minutes(1));
        char date[32];
        std::strftime(date, sizeof date, "%b %d %H:%M:%S", std::gmtime(&logged));
        tree.write("log/agent.log",
                   agent_event("CreateDirectoryPath",
                               "Cannot create directory: 0x80070005 [Access is denied] " +
                                   path_to_utf8(tree / "PackageStatus" / kStaleId),
                               date) +
                       agent_event("EventTransport",
                                   "Error while copying event to capture directory: Access is "
                                   "denied (-2147024891)",
                                   date, 495844843));
        for (int i = 0; i < 16; ++i) {
            char name[64];
            std::snprintf(name, sizeof name, "Queue/NS01/NSE-FFF-0000006A-%08X%s", i,
                          i < 12 ? "" : (i < 15 ? ".ok" : ".blocked"));
            tree.write(name, "x");
        }
        config.evidence.log_dir = tree / "log";
        config.evidence.queue_dir = tree / "Queue";
    }
    auto state = StateDir::open(config.paths.state_dir);
    if (!state) {
        throw std::runtime_error("the state folder: " + state.error().message);
    }
    NsClient ns(config.ns, config.server_name,
                std::make_unique<DataSetTransport>(
                    std::vector<NsRow>{{kHealthyId, "Office", "Ready", "1601867730"},
                                       {kStaleId, "Java", "Invalid", "7"}},
                    scene.ns_down),
                [](std::chrono::milliseconds) { return true; });
    return run_cycle(config, ns, **state, CycleOptions{}, now_seconds());
}

}  // namespace psguard::test
