#include "ns/ns_client.hpp"

#include <thread>

#include "core/display_text.hpp"
#include "ns/dataset_parser.hpp"
#include "ns/ns_url.hpp"
#include "platform/secret_file.hpp"

namespace psguard {
namespace {

constexpr const char* kRetriesInterrupted = " (retries cut short by a stop or reload)";

bool retryable(const TransportOutcome& outcome) {
    if (outcome.error) {
        return outcome.error->kind == TransportFailure::timeout;
    }
    return outcome.response->status >= 500;
}

bool sleep_for(std::chrono::milliseconds delay) {
    std::this_thread::sleep_for(delay);
    return true;
}

}  // namespace

const char* to_string(NsFailure failure) {
    switch (failure) {
        case NsFailure::unreachable:
            return "unreachable";
        case NsFailure::credential:
            return "credential";
        case NsFailure::server:
            return "server";
        case NsFailure::unusable:
            return "unusable";
        case NsFailure::configuration:
            return "configuration";
    }
    return "unknown";
}

NsClient::NsClient(NsConfig config, std::string server_name,
                   std::unique_ptr<HttpTransport> transport, RetryWait wait)
    : config_(std::move(config)),
      server_name_(std::move(server_name)),
      transport_(std::move(transport)),
      wait_(wait ? std::move(wait) : RetryWait(sleep_for)) {}

std::string NsClient::form_body() const {
    // nameValuePairs is itself "Name=Value"; the whole pair is one form value.
    return "reportItemGuid=" + form_encode(config_.report_guid) +
           "&nameValuePairs=" + form_encode(config_.report_parameter + "=" + server_name_);
}

NsFetch NsClient::fetch_package_states() {
    NsFetch fetch;
    TransportOutcome outcome;
    const std::string body = form_body();
    auto delay = config_.retry_backoff;
    bool interrupted = false;
    for (int attempt = 0; attempt <= config_.max_retries; ++attempt) {
        if (attempt > 0) {
            if (!wait_(delay)) {
                interrupted = true;  // a stop or reload: the last attempt's answer stands
                break;
            }
            delay *= 2;
        }
        outcome = transport_->post_form(std::string(kRunReportPath), body);
        fetch.attempts = attempt + 1;
        if (!retryable(outcome)) {
            break;
        }
    }

    if (outcome.error) {
        fetch.failure = outcome.error->kind == TransportFailure::configuration
                            ? NsFailure::configuration
                        : outcome.error->kind == TransportFailure::too_large ||
                                outcome.error->kind == TransportFailure::protocol
                            ? NsFailure::unusable
                            : NsFailure::unreachable;
        fetch.error = "NS " + config_.url + ": " + outcome.error->message +
                      (interrupted ? kRetriesInterrupted : "");
        return fetch;
    }
    const HttpResponse& response = *outcome.response;
    fetch.http_status = response.status;
    if (response.status == 401 || response.status == 403) {
        fetch.failure = NsFailure::credential;
        fetch.error = "NS " + config_.url + " refused psguard's credentials (HTTP " +
                      std::to_string(response.status) +
                      "): check ns.auth and that the account may run the report";
        return fetch;
    }
    if (response.status != 200) {
        fetch.failure = NsFailure::server;
        fetch.error = "NS " + config_.url + " answered HTTP " + std::to_string(response.status) +
                      (fetch.attempts > 1 ? " after " + std::to_string(fetch.attempts) + " attempts"
                                          : std::string()) +
                      (interrupted ? kRetriesInterrupted : "") + ": " +
                      describe_body(response.body);
        return fetch;
    }
    if (keep_body_) {
        last_body_ = response.body;
    }
    auto answer = parse_report_dataset(response.body, config_.columns, server_name_);
    if (!answer) {
        fetch.failure = NsFailure::unusable;
        fetch.error = valid_utf8(answer.error().message);  // it may quote the answer's names
        return fetch;
    }
    fetch.answer = std::move(answer).value();
    return fetch;
}

Result<std::unique_ptr<NsClient>> make_ns_client(const Config& config, RetryWait wait) {
    auto endpoint = parse_ns_url(config.ns.url);
    if (!endpoint) {
        return fail("ns.url: " + endpoint.error().message);
    }
    TransportOptions options;
    options.endpoint = *endpoint;
    options.ca_file = config.ns.ca_file;
    options.timeout = config.ns.timeout;
    options.max_response_bytes = config.ns.max_response_bytes;
    options.auth = config.ns.auth.type;
    options.username = config.ns.auth.username;
    if (!config.ns.auth.password_file.empty()) {
        auto password = read_secret_file(config.ns.auth.password_file);
        if (!password) {
            return fail("ns.auth.password_file: " + password.error().message);
        }
        options.password = std::move(password).value();
    }
    return std::make_unique<NsClient>(config.ns, config.server_name,
                                      make_http_transport(std::move(options)), std::move(wait));
}

}  // namespace psguard
