#include "ns_endpoint.hpp"

#include <string>
#include <vector>

#include "auth.hpp"
#include "error_pages.hpp"
#include "form.hpp"
#include "text_util.hpp"

namespace psguard::emulator {
namespace {

constexpr std::string_view kAsmxPrefix = "/Altiris/ASDK.NS/";
constexpr std::string_view kTextPlain = "text/plain; charset=utf-8";
constexpr std::string_view kTextHtml = "text/html; charset=utf-8";
constexpr std::string_view kTextXml = "text/xml; charset=utf-8";
constexpr std::string_view kFormType = "application/x-www-form-urlencoded";

std::string_view path_of(std::string_view target) {
    return target.substr(0, target.find('?'));
}

Reply asmx_failure(const Request& request, std::string_view type, std::string_view message) {
    return make_reply(request, http::status::internal_server_error, kTextPlain,
                      asmx_exception(type, message));
}

Reply unrecognized_format(const Request& request, std::string_view path) {
    const std::string_view last = path.substr(path.rfind('/'));
    return asmx_failure(request, "System.InvalidOperationException",
                        "Request format is unrecognized for URL unexpectedly ending in '" +
                            std::string(last) + "'.");
}

Reply iis_error(const Request& request, http::status status, std::string_view title,
                std::string_view detail) {
    return make_reply(request, status, kTextHtml,
                      iis_error_page(static_cast<unsigned>(status), title, detail));
}

Reply unauthorized(const Request& request) {
    Reply reply = iis_error(request, http::status::unauthorized, "Unauthorized: Access is denied",
                            "You do not have permission to view this directory or page using "
                            "the credentials that you supplied.");
    reply.response.set(http::field::www_authenticate, R"(Basic realm="NS")");
    return reply;
}

Reply service_unavailable(const Request& request) {
    // HTTP.sys answers this one itself when the application pool is down.
    Reply reply =
        make_reply(request, http::status::service_unavailable, "text/html; charset=us-ascii",
                   "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\"\"http://"
                   "www.w3.org/TR/html4/strict.dtd\">\r\n<HTML><HEAD><TITLE>Service "
                   "Unavailable</TITLE></HEAD>\r\n<BODY><h2>Service Unavailable</h2>"
                   "\r\n<hr><p>HTTP Error 503. The service is unavailable.</p>\r\n"
                   "</BODY></HTML>\r\n");
    reply.response.set(http::field::server, "Microsoft-HTTPAPI/2.0");
    reply.response.erase("X-Powered-By");
    return reply;
}

// The PackageServer value inside nameValuePairs ("PackageServer=PS01", more pairs '&'-joined).
std::string package_server_parameter(const std::string& name_value_pairs) {
    const auto pairs = parse_form(name_value_pairs);
    if (!pairs) {
        return {};
    }
    const std::string* server = find_field(*pairs, "PackageServer");
    return server ? *server : std::string{};
}

std::vector<ReportRow> rows_for(const Scenario& scenario, const std::string& server) {
    std::vector<ReportRow> rows;
    for (const auto& package : scenario.packages) {
        if (!iequals(scenario.server_of(package), server)) {
            continue;
        }
        std::optional<std::string> server_cell;
        if (!package.server_null) {
            server_cell = scenario.server_of(package);
        }
        rows.push_back(ReportRow{server_cell, package.name, package.status, package.ns_version,
                                 package.reported_version, normalize_guid(package.guid),
                                 package.error});
    }
    return rows;
}

// The answers that arrive with HTTP 200 but are not a report.
std::optional<Reply> not_a_report(const Request& request, const Scenario& scenario) {
    switch (scenario.fault) {
        case Fault::empty_body:
            return make_reply(request, http::status::ok, kTextXml, {});
        case Fault::errors_answer:
            return make_reply(request, http::status::ok, kTextXml,
                              "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<Errors>\r\n  "
                              "<Error>Report execution failed: Invalid column name "
                              "'Package Version'.</Error>\r\n</Errors>");
        case Fault::html_page:
            return make_reply(request, http::status::ok, kTextHtml,
                              "<!DOCTYPE html>\r\n<html><head><title>Web Proxy Sign-in</title>"
                              "</head><body><p>Please sign in to continue.</p></body></html>");
        case Fault::soap_fault:
            return make_reply(request, http::status::internal_server_error, kTextXml,
                              soap_fault(scenario.answer_shape == AnswerShape::soap12,
                                         "Server was unable to process request. ---> "
                                         "Invalid column name 'Package Version'."));
        default:
            return std::nullopt;
    }
}

Reply dataset_reply(const Request& request, const Scenario& scenario, const std::string& server) {
    if (auto reply = not_a_report(request, scenario)) {
        return std::move(*reply);
    }
    std::vector<ReportRow> rows = rows_for(scenario, server);
    DataSetOptions options;
    options.shape = scenario.answer_shape;
    options.row_element = scenario.row_element;
    options.include_error = scenario.error_column;
    switch (scenario.fault) {
        case Fault::wrong_namespace:
            options.root_namespace = "http://tempuri.org/";
            break;
        case Fault::missing_column:
            options.include_status = false;
            break;
        case Fault::duplicate_rows:
            if (!rows.empty()) {
                rows.push_back(rows.front());
            }
            break;
        case Fault::zero_rows:
            rows.clear();
            break;
        case Fault::huge_body: {
            Reply reply = make_reply(request, http::status::ok, kTextXml, {});
            reply.huge.emplace(server, scenario.fault_huge_bytes, options);
            reply.response.content_length(reply.huge->size());
            reply.delivery = Delivery::streamed;
            return reply;
        }
        default:
            break;
    }
    std::string body = render_dataset(rows, options);
    if (scenario.fault == Fault::malformed_xml) {
        // Cut the document short and leave tags open: no XML parser accepts it.
        body.resize(body.size() / 2);
        body += "<Table><Status>Invalid</Table>\r\n";
    }
    Reply reply = make_reply(request, http::status::ok, kTextXml, std::move(body));
    if (scenario.fault == Fault::truncated) {
        reply.delivery = Delivery::truncated;
    }
    return reply;
}

Reply decide(const Request& request, EmulatorState& state, const FormFields& form) {
    const Scenario& scenario = state.scenario;
    const std::string_view path = path_of(to_std(request.target()));

    if (scenario.fault == Fault::http_503) {
        return service_unavailable(request);
    }
    if (scenario.fault == Fault::fail_first_n && state.failures_served < scenario.fault_count) {
        ++state.failures_served;
        return service_unavailable(request);
    }
    // IIS authenticates before ASP.NET sees the request.
    if (scenario.auth &&
        !basic_credentials_match(to_std(request[http::field::authorization]), *scenario.auth)) {
        return unauthorized(request);
    }
    if (scenario.fault == Fault::http_401) {
        return unauthorized(request);
    }
    if (scenario.fault == Fault::http_403) {
        return iis_error(request, http::status::forbidden, "Forbidden: Access is denied",
                         "You do not have permission to view this directory or page using the "
                         "credentials that you supplied.");
    }
    if (!iequals(path, kReportPath)) {
        if (istarts_with(path, kAsmxPrefix) && path.find(".asmx/") != std::string_view::npos) {
            return unrecognized_format(request, path);
        }
        return iis_error(request, http::status::not_found, "File or directory not found",
                         "The resource you are looking for might have been removed, had its "
                         "name changed, or is temporarily unavailable.");
    }
    if (request.method() != http::verb::post) {
        return unrecognized_format(request, path);
    }
    const std::string_view content_type = to_std(request[http::field::content_type]);
    if (!iequals(content_type.substr(0, content_type.find(';')), kFormType)) {
        return asmx_failure(request, "System.InvalidOperationException",
                            "Request format is invalid: " + std::string(content_type) + ".");
    }
    const std::string* guid = find_field(form, "reportItemGuid");
    if (guid == nullptr) {
        return asmx_failure(request, "System.InvalidOperationException",
                            "Missing parameter: reportItemGuid.");
    }
    const std::string* pairs = find_field(form, "nameValuePairs");
    if (pairs == nullptr) {
        return asmx_failure(request, "System.InvalidOperationException",
                            "Missing parameter: nameValuePairs.");
    }
    if (normalize_guid(*guid) != normalize_guid(scenario.report_guid)) {
        return asmx_failure(request, "System.Exception",
                            "The item '" + *guid + "' does not exist or is not a report.");
    }
    if (scenario.fault == Fault::http_500) {
        return make_reply(request, http::status::internal_server_error, kTextHtml,
                          aspnet_error_page("Timeout expired.  The timeout period elapsed prior "
                                            "to completion of the operation or the server is "
                                            "not responding."));
    }
    Reply reply = dataset_reply(request, scenario, package_server_parameter(*pairs));
    if (scenario.fault == Fault::delay) {
        reply.delay = scenario.fault_delay;
    }
    return reply;
}

}  // namespace

Reply answer_ns_request(const Request& request, EmulatorState& state) {
    // Only a form body is decoded; a body that is not valid form encoding is garbage.
    FormFields form;
    const std::string_view content_type = to_std(request[http::field::content_type]);
    if (istarts_with(content_type, kFormType)) {
        auto parsed = parse_form(request.body());
        if (!parsed) {
            Reply reply = make_reply(request, http::status::bad_request, kTextHtml,
                                     iis_error_page(400, "Bad Request", "Invalid form encoding."));
            reply.response.keep_alive(false);
            state.log.add({std::string(to_std(request.method_string())),
                           std::string(to_std(request.target())),
                           {},
                           request.count(http::field::authorization) > 0,
                           400});
            return reply;
        }
        form = std::move(*parsed);
    }
    Reply reply = decide(request, state, form);
    state.log.add({std::string(to_std(request.method_string())),
                   std::string(to_std(request.target())), form,
                   request.count(http::field::authorization) > 0, reply.response.result_int()});
    return reply;
}

}  // namespace psguard::emulator
