#include "control_endpoint.hpp"

#include <optional>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace psguard::emulator {
namespace {

using nlohmann::json;

constexpr std::string_view kPrefix = "/_emulator/";

Reply error(const Request& request, http::status status, const std::string& message) {
    return make_json_reply(request, status, json{{"error", message}});
}

std::optional<json> parse_body(const Request& request) {
    try {
        return json::parse(request.body());
    } catch (const json::parse_error&) {
        return std::nullopt;
    }
}

Reply patch_scenario(const Request& request, EmulatorState& state) {
    const auto patch = parse_body(request);
    if (!patch) {
        return error(request, http::status::bad_request, "the body is not JSON");
    }
    try {
        const Fault old_fault = state.scenario.fault;
        state.scenario = apply_patch(state.scenario, *patch);
        // Setting a fault (even the same one again) restarts its counting.
        if (patch->contains("fault") || patch->contains("fault_count") ||
            state.scenario.fault != old_fault) {
            state.failures_served = 0;
        }
    } catch (const std::invalid_argument& bad) {
        return error(request, http::status::bad_request, bad.what());
    }
    return make_json_reply(request, http::status::ok, to_json(state.scenario));
}

Reply update_status(const Request& request, EmulatorState& state) {
    const auto update = parse_body(request);
    if (!update) {
        return error(request, http::status::bad_request, "the body is not JSON");
    }
    try {
        if (!update_package_status(state.scenario, *update)) {
            return error(request, http::status::not_found, "no such package on that server");
        }
    } catch (const std::invalid_argument& bad) {
        return error(request, http::status::bad_request, bad.what());
    } catch (const json::exception& bad) {
        return error(request, http::status::bad_request, bad.what());
    }
    return make_json_reply(request, http::status::ok, json{{"ok", true}});
}

}  // namespace

bool is_control_target(std::string_view target) {
    return target.substr(0, kPrefix.size()) == kPrefix;
}

Reply answer_control_request(const Request& request, EmulatorState& state) {
    const std::string_view target = to_std(request.target());
    const std::string_view path = target.substr(0, target.find('?'));
    const http::verb method = request.method();
    if (path == "/_emulator/scenario") {
        if (method == http::verb::get) {
            return make_json_reply(request, http::status::ok, to_json(state.scenario));
        }
        if (method == http::verb::post) {
            return patch_scenario(request, state);
        }
    } else if (path == "/_emulator/package-status") {
        if (method == http::verb::post) {
            return update_status(request, state);
        }
    } else if (path == "/_emulator/requests") {
        if (method == http::verb::get) {
            return make_json_reply(request, http::status::ok, state.log.to_json());
        }
        if (method == http::verb::delete_) {
            state.log.clear();
            return make_json_reply(request, http::status::ok, json{{"ok", true}});
        }
    } else {
        return error(request, http::status::not_found, "unknown control path");
    }
    return error(request, http::status::method_not_allowed, "method not allowed here");
}

}  // namespace psguard::emulator
