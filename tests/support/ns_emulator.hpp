// The NS emulator as a test fixture: certificates in a temporary folder, the real
// psguard-ns-emulator process serving a scenario on a free port, stopped on destruction.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "support/child_process.hpp"
#include "support/https_client.hpp"
#include "support/temp_dir.hpp"

namespace psguard::test {

// The report GUID the test scenarios answer to (ns.report_guid in the sandboxes' configs).
inline const std::string kReportGuid = "{a1b2c3d4-0000-4000-8000-000000000001}";

struct NsEmulatorOptions {
    nlohmann::json scenario = nullptr;  // null: NsEmulator::default_scenario()
    bool plain_http = false;
    std::filesystem::path binary = PSGUARD_NS_EMULATOR_PATH;
    std::chrono::milliseconds start_timeout{10000};
};

class NsEmulator {
  public:
    static constexpr std::string_view kReportPath =
        "/Altiris/ASDK.NS/ReportManagementService.asmx/RunReportWithParameters";

    // Three packages on PS01 (Invalid, Ready, Pending with no reported version) and one on PS02.
    static nlohmann::json default_scenario();

    // Starts the emulator; throws std::runtime_error (with its stderr) if it does not come up.
    explicit NsEmulator(NsEmulatorOptions options = {});
    explicit NsEmulator(nlohmann::json scenario);
    ~NsEmulator();
    NsEmulator(const NsEmulator&) = delete;
    NsEmulator& operator=(const NsEmulator&) = delete;

    std::uint16_t port() const { return port_; }
    std::string url() const;  // https://localhost:<port> (http:// with plain_http)
    std::filesystem::path ca_file() const { return dir_ / "certs" / "ca.pem"; }
    std::filesystem::path cert_dir() const { return dir_ / "certs"; }
    const ChildProcess& process() const { return *process_; }

    // Runtime control; each throws std::runtime_error unless the emulator answers 200.
    void set_fault(std::string_view fault);
    void set_scenario(const nlohmann::json& patch);
    void set_package_status(const nlohmann::json& update);
    nlohmann::json requests();

    // A request skeleton aimed at this emulator, trusting only its CA.
    ClientRequest request() const;

  private:
    nlohmann::json control(boost::beast::http::verb method, std::string_view target,
                           const nlohmann::json& body);

    TempDir dir_;
    bool plain_http_ = false;
    std::optional<ChildProcess> process_;
    std::uint16_t port_ = 0;
};

}  // namespace psguard::test
