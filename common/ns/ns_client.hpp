// Asks the NS for its view of this Package Server: runs the SWDPackageServer report through
// ReportManagementService.asmx/RunReportWithParameters and parses the DataSet it answers.
// Retries (bounded, with exponential backoff) only on 5xx and timeouts.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "core/result.hpp"
#include "ns/http_transport.hpp"
#include "ns/ns_answer.hpp"

namespace psguard {

inline constexpr std::string_view kRunReportPath =
    "/Altiris/ASDK.NS/ReportManagementService.asmx/RunReportWithParameters";

enum class NsFailure {
    unreachable,  // resolve/connect/TLS/timeout: the NS could not be asked
    credential,   // 401/403: the NS refused psguard's credentials
    server,       // 5xx after the retries, or another unexpected HTTP status
    unusable,     // an answer came, but it is not a complete, well-formed report
    configuration,
};

const char* to_string(NsFailure failure);

struct NsFetch {
    std::optional<NsAnswer> answer;  // set only when the whole answer is usable
    std::optional<NsFailure> failure;
    std::string error;  // human-readable, when failure is set
    int attempts = 0;
    int http_status = 0;  // of the last attempt; 0 when no answer came
};

// Waits between retries; returns false when the wait was interrupted (the agent stops or
// reloads): the client then gives up with the last attempt's answer. Default: a plain sleep.
using RetryWait = std::function<bool(std::chrono::milliseconds)>;

class NsClient {
  public:
    NsClient(NsConfig config, std::string server_name, std::unique_ptr<HttpTransport> transport,
             RetryWait wait = {});

    NsFetch fetch_package_states();

    // `psguard collect` sends the raw answer along: when set, fetch_package_states keeps the
    // body of an HTTP 200 answer, usable or not, for last_body().
    void keep_answer_body(bool keep) { keep_body_ = keep; }
    const std::optional<std::string>& last_body() const { return last_body_; }

  private:
    std::string form_body() const;

    NsConfig config_;
    std::string server_name_;
    std::unique_ptr<HttpTransport> transport_;
    RetryWait wait_;
    bool keep_body_ = false;
    std::optional<std::string> last_body_;
};

// Builds the client from the configuration, reading the password file if one is configured.
Result<std::unique_ptr<NsClient>> make_ns_client(const Config& config, RetryWait wait = {});

}  // namespace psguard
