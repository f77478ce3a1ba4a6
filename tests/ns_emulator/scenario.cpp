#include "scenario.hpp"

#include <array>
#include <fstream>
#include <stdexcept>
#include <utility>

#include "text_util.hpp"

namespace psguard::emulator {
namespace {

using nlohmann::json;

constexpr std::array<std::pair<Fault, std::string_view>, 19> kFaultNames{{
    {Fault::none, "none"},
    {Fault::http_500, "http_500"},
    {Fault::http_503, "http_503"},
    {Fault::http_401, "http_401"},
    {Fault::http_403, "http_403"},
    {Fault::delay, "delay"},
    {Fault::truncated, "truncated"},
    {Fault::malformed_xml, "malformed_xml"},
    {Fault::wrong_namespace, "wrong_namespace"},
    {Fault::missing_column, "missing_column"},
    {Fault::duplicate_rows, "duplicate_rows"},
    {Fault::zero_rows, "zero_rows"},
    {Fault::huge_body, "huge_body"},
    {Fault::wrong_host_cert, "wrong_host_cert"},
    {Fault::fail_first_n, "fail_first_n"},
    {Fault::empty_body, "empty_body"},
    {Fault::errors_answer, "errors_answer"},
    {Fault::html_page, "html_page"},
    {Fault::soap_fault, "soap_fault"},
}};

[[noreturn]] void bad(std::string_view key, std::string_view problem) {
    throw std::invalid_argument("\"" + std::string(key) + "\": " + std::string(problem));
}

std::string require_string(const json& value, std::string_view key) {
    if (!value.is_string()) {
        bad(key, "expected a string");
    }
    return value.get<std::string>();
}

std::uint64_t require_unsigned(const json& value, std::string_view key) {
    if (value.is_number_unsigned()) {
        return value.get<std::uint64_t>();
    }
    if (value.is_number_integer() && value.get<std::int64_t>() >= 0) {
        return static_cast<std::uint64_t>(value.get<std::int64_t>());
    }
    bad(key, "expected a non-negative integer");
}

std::optional<std::string> optional_string(const json& value, std::string_view key) {
    if (value.is_null()) {
        return std::nullopt;
    }
    return require_string(value, key);
}

// Versions are integers on the NS but travel as strings; accept both, null meaning DBNull.
std::optional<std::string> optional_version(const json& value, std::string_view key) {
    if (value.is_null()) {
        return std::nullopt;
    }
    if (value.is_string()) {
        return value.get<std::string>();
    }
    if (value.is_number_integer()) {
        return value.dump();
    }
    bad(key, "expected a string, an integer or null");
}

Package parse_package(const json& value) {
    if (!value.is_object()) {
        bad("packages", "every package must be an object");
    }
    Package package;
    bool has_guid = false;
    bool has_name = false;
    bool has_status = false;
    for (const auto& [key, field] : value.items()) {
        if (key == "guid") {
            package.guid = require_string(field, key);
            has_guid = true;
        } else if (key == "name") {
            package.name = optional_string(field, key);
            has_name = true;
        } else if (key == "status") {
            package.status = require_string(field, key);
            has_status = true;
        } else if (key == "server") {
            package.server_null = field.is_null();
            package.server = optional_string(field, key);
        } else if (key == "ns_version") {
            package.ns_version = optional_version(field, key);
        } else if (key == "reported_version") {
            package.reported_version = optional_version(field, key);
        } else if (key == "error") {
            package.error = optional_string(field, key);
        } else {
            bad(key, "unknown package key");
        }
    }
    if (!has_guid || !has_name || !has_status) {
        bad("packages", "every package needs \"guid\", \"name\" and \"status\"");
    }
    return package;
}

std::optional<BasicAuth> parse_auth(const json& value) {
    if (!value.is_object() || !value.contains("type")) {
        bad("auth", "expected {\"type\": \"none\"} or {\"type\": \"basic\", ...}");
    }
    const std::string type = require_string(value["type"], "auth.type");
    if (type == "none") {
        return std::nullopt;
    }
    if (type != "basic") {
        bad("auth.type", "expected \"none\" or \"basic\"");
    }
    if (!value.contains("username") || !value.contains("password")) {
        bad("auth", "basic needs \"username\" and \"password\"");
    }
    return BasicAuth{require_string(value["username"], "auth.username"),
                     require_string(value["password"], "auth.password")};
}

json nullable_json(const std::optional<std::string>& value) {
    return value ? json(*value) : json(nullptr);
}

}  // namespace

std::optional<Fault> fault_from_string(std::string_view name) {
    for (const auto& [fault, text] : kFaultNames) {
        if (text == name) {
            return fault;
        }
    }
    return std::nullopt;
}

std::string_view to_string(Fault fault) {
    for (const auto& [candidate, text] : kFaultNames) {
        if (candidate == fault) {
            return text;
        }
    }
    return "unknown";
}

Scenario apply_patch(const Scenario& base, const json& patch) {
    if (!patch.is_object()) {
        throw std::invalid_argument("a scenario must be a JSON object");
    }
    Scenario scenario = base;
    for (const auto& [key, value] : patch.items()) {
        if (key == "server") {
            scenario.server = require_string(value, key);
        } else if (key == "report_guid") {
            scenario.report_guid = require_string(value, key);
        } else if (key == "auth") {
            scenario.auth = parse_auth(value);
        } else if (key == "packages") {
            if (!value.is_array()) {
                bad(key, "expected an array");
            }
            scenario.packages.clear();
            for (const auto& package : value) {
                scenario.packages.push_back(parse_package(package));
            }
        } else if (key == "fault") {
            const auto fault = fault_from_string(require_string(value, key));
            if (!fault) {
                bad(key, "unknown fault \"" + value.get<std::string>() + "\"");
            }
            scenario.fault = *fault;
        } else if (key == "fault_delay_ms") {
            scenario.fault_delay = std::chrono::milliseconds(require_unsigned(value, key));
        } else if (key == "fault_huge_bytes") {
            scenario.fault_huge_bytes = require_unsigned(value, key);
        } else if (key == "fault_count") {
            scenario.fault_count = static_cast<std::uint32_t>(require_unsigned(value, key));
        } else if (key == "answer_shape") {
            const auto shape = answer_shape_from_string(require_string(value, key));
            if (!shape) {
                bad(key, "unknown answer shape \"" + value.get<std::string>() +
                             "\" (new_dataset, dataset_diffgram, dataset_plain, soap11, soap12)");
            }
            scenario.answer_shape = *shape;
        } else if (key == "row_element") {
            scenario.row_element = require_string(value, key);
            if (scenario.row_element.empty()) {
                bad(key, "must not be empty");
            }
        } else if (key == "error_column") {
            if (!value.is_boolean()) {
                bad(key, "expected true or false");
            }
            scenario.error_column = value.get<bool>();
        } else {
            bad(key, "unknown scenario key");
        }
    }
    return scenario;
}

Scenario load_scenario(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) {
        throw std::runtime_error("cannot open scenario " + file.string());
    }
    json document;
    try {
        document = json::parse(in);
    } catch (const json::parse_error& error) {
        throw std::runtime_error("scenario " + file.string() + " is not JSON: " + error.what());
    }
    try {
        return apply_patch(Scenario{}, document);
    } catch (const std::invalid_argument& error) {
        throw std::runtime_error("scenario " + file.string() + ": " + error.what());
    }
}

json to_json(const Scenario& scenario) {
    json packages = json::array();
    for (const auto& package : scenario.packages) {
        json row = {{"guid", package.guid},
                    {"name", nullable_json(package.name)},
                    {"status", package.status},
                    {"ns_version", nullable_json(package.ns_version)},
                    {"reported_version", nullable_json(package.reported_version)},
                    {"error", nullable_json(package.error)}};
        if (package.server) {
            row["server"] = *package.server;
        } else if (package.server_null) {
            row["server"] = nullptr;
        }
        packages.push_back(std::move(row));
    }
    json auth = {{"type", "none"}};
    if (scenario.auth) {
        auth = {{"type", "basic"}, {"username", scenario.auth->username}, {"password", "***"}};
    }
    return {{"server", scenario.server},
            {"report_guid", scenario.report_guid},
            {"auth", auth},
            {"packages", packages},
            {"fault", to_string(scenario.fault)},
            {"fault_delay_ms", scenario.fault_delay.count()},
            {"fault_huge_bytes", scenario.fault_huge_bytes},
            {"fault_count", scenario.fault_count},
            {"answer_shape", to_string(scenario.answer_shape)},
            {"row_element", scenario.row_element},
            {"error_column", scenario.error_column}};
}

bool update_package_status(Scenario& scenario, const json& update) {
    if (!update.is_object() || !update.contains("server") || !update.contains("guid")) {
        throw std::invalid_argument("expected {\"server\": ..., \"guid\": ..., ...}");
    }
    const std::string server = require_string(update["server"], "server");
    const std::string guid = normalize_guid(require_string(update["guid"], "guid"));
    for (const auto& [key, value] : update.items()) {
        if (key != "server" && key != "guid" && key != "status" && key != "reported_version" &&
            key != "ns_version") {
            bad(key, "unknown package-status key");
        }
    }
    for (auto& package : scenario.packages) {
        if (!iequals(scenario.server_of(package), server) || normalize_guid(package.guid) != guid) {
            continue;
        }
        // Validate everything before changing anything.
        Package updated = package;
        if (update.contains("status")) {
            updated.status = require_string(update["status"], "status");
        }
        if (update.contains("reported_version")) {
            updated.reported_version =
                optional_version(update["reported_version"], "reported_version");
        }
        if (update.contains("ns_version")) {
            updated.ns_version = optional_version(update["ns_version"], "ns_version");
        }
        package = std::move(updated);
        return true;
    }
    return false;
}

}  // namespace psguard::emulator
