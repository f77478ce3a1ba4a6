#include "support/ns_emulator.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace psguard::test {
namespace {

namespace http = boost::beast::http;

std::string failure_text(const ChildProcess& process, const std::string& what) {
    return what + "\n--- emulator stderr ---\n" + process.stderr_text();
}

}  // namespace

nlohmann::json NsEmulator::default_scenario() {
    return {
        {"server", "PS01"},
        {"report_guid", "{a1b2c3d4-0000-4000-8000-000000000001}"},
        {"auth", {{"type", "none"}}},
        {"packages",
         {
             {{"guid", "{6C821F5E-1234-4ABC-9DEF-0123456789AB}"},
              {"name", "Adobe Reader"},
              {"status", "Invalid"},
              {"ns_version", "1601867730"},
              {"reported_version", "1601867730"}},
             {{"guid", "{6d417916-1234-4abc-9def-0123456789ab}"},
              {"name", "7-Zip & Tools <x64>"},
              {"status", "Ready"},
              {"ns_version", "1601867800"},
              {"reported_version", "1601867800"}},
             {{"guid", "{0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9}"},
              {"name", "Test Package"},
              {"status", "Pending"},
              {"ns_version", "1601867900"},
              {"reported_version", nullptr}},
             {{"guid", "{11111111-2222-4333-8444-555555555555}"},
              {"server", "PS02"},
              {"name", "Other Server Package"},
              {"status", "Invalid"},
              {"ns_version", "1601867000"},
              {"reported_version", "1601867000"}},
         }},
        {"fault", "none"},
    };
}

NsEmulator::NsEmulator(nlohmann::json scenario)
    : NsEmulator(NsEmulatorOptions{.scenario = std::move(scenario)}) {}

NsEmulator::NsEmulator(NsEmulatorOptions options)
    : dir_("psguard-ns-emulator"), plain_http_(options.plain_http) {
    const nlohmann::json scenario =
        options.scenario.is_null() ? default_scenario() : options.scenario;
    const auto scenario_file = dir_ / "scenario.json";
    std::ofstream(scenario_file) << scenario.dump(2);

    {
        ChildProcess certs({options.binary.string(), "make-certs", "--dir", cert_dir().string(),
                            "--host", "localhost", "--ip", "127.0.0.1"});
        const auto code = certs.wait(options.start_timeout);
        if (code != 0) {
            throw std::runtime_error(failure_text(certs, "psguard-ns-emulator make-certs failed"));
        }
    }

    const auto port_file = dir_ / "port";
    std::vector<std::string> argv{
        options.binary.string(), "serve",  "--cert-dir", cert_dir().string(), "--scenario",
        scenario_file.string(),  "--port", "0",          "--port-file",       port_file.string()};
    if (plain_http_) {
        argv.emplace_back("--plain-http");
    }
    process_.emplace(std::move(argv), ChildOptions{dir_ / "stdout.txt", dir_ / "stderr.txt", {}});

    const auto deadline = std::chrono::steady_clock::now() + options.start_timeout;
    while (port_ == 0) {
        if (std::ifstream in(port_file); in && (in >> port_) && port_ != 0) {
            break;
        }
        if (!process_->running()) {
            throw std::runtime_error(failure_text(*process_, "psguard-ns-emulator exited early"));
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            throw std::runtime_error(failure_text(*process_, "psguard-ns-emulator did not start"));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

NsEmulator::~NsEmulator() {
    if (process_) {
        process_->stop(std::chrono::milliseconds(5000));
    }
}

std::string NsEmulator::url() const {
    return (plain_http_ ? "http://localhost:" : "https://localhost:") + std::to_string(port_);
}

ClientRequest NsEmulator::request() const {
    ClientRequest request;
    request.port = port_;
    request.tls = !plain_http_;
    request.ca_file = ca_file();
    return request;
}

nlohmann::json NsEmulator::control(http::verb method, std::string_view target,
                                   const nlohmann::json& body) {
    ClientRequest request = this->request();
    // Chain only: the control channel must keep working under the wrong_host_cert fault.
    request.verify_host_name = false;
    request.method = method;
    request.target = target;
    if (!body.is_null()) {
        request.content_type = "application/json";
        request.body = body.dump();
    }
    const ClientResponse response = https_request(request);
    if (!response.ok() || response.status != 200) {
        throw std::runtime_error("emulator control " + std::string(target) + " failed: " +
                                 (response.ok()
                                      ? std::to_string(response.status) + " " + response.body
                                      : response.error_stage + ": " + response.error.message()));
    }
    return nlohmann::json::parse(response.body);
}

void NsEmulator::set_fault(std::string_view fault) {
    control(http::verb::post, "/_emulator/scenario", {{"fault", fault}});
}

void NsEmulator::set_scenario(const nlohmann::json& patch) {
    control(http::verb::post, "/_emulator/scenario", patch);
}

void NsEmulator::set_package_status(const nlohmann::json& update) {
    control(http::verb::post, "/_emulator/package-status", update);
}

nlohmann::json NsEmulator::requests() {
    return control(http::verb::get, "/_emulator/requests", nullptr);
}

}  // namespace psguard::test
