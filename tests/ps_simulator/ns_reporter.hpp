// The agent's status report to the NS, aimed at the NS emulator's control endpoint:
//   POST /_emulator/package-status {"server", "guid", "status", "reported_version"}
// over HTTPS, the certificate verified against the given CA and the URL's host name.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace psguard::simulator {

struct NsUrl {
    std::string host;  // as written, without brackets for IPv6
    std::uint16_t port = 443;
};

// A bad --ns-url or --ca-file: usage error.
class NsUsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// https://host[:port][/]: only HTTPS, no path, no user info. Throws NsUsageError.
NsUrl parse_ns_url(std::string_view url);

struct ReportOutcome {
    bool delivered = false;  // the NS answered (any status)
    unsigned status = 0;     // HTTP status when delivered
    std::string error;       // empty when the NS answered 200

    bool ok() const { return delivered && status == 200; }
};

class NsReporter {
  public:
    // Loads the CA file now; throws NsUsageError when it cannot be used.
    NsReporter(NsUrl url, const std::filesystem::path& ca_file,
               std::chrono::milliseconds timeout = std::chrono::seconds(10));
    ~NsReporter();
    NsReporter(const NsReporter&) = delete;
    NsReporter& operator=(const NsReporter&) = delete;

    // One connection per report, as the agent posts one event per package.
    ReportOutcome report(const std::string& server, const std::string& guid,
                         const std::string& status, const std::string& version);

  private:
    struct Tls;
    NsUrl url_;
    std::chrono::milliseconds timeout_;
    std::unique_ptr<Tls> tls_;
};

}  // namespace psguard::simulator
