#include "reply.hpp"

namespace psguard::emulator {

Reply make_reply(unsigned http_version, bool keep_alive, http::status status,
                 std::string_view content_type, std::string body) {
    Reply reply;
    Response& response = reply.response;
    response.version(http_version);
    response.result(status);
    response.set(http::field::server, "Microsoft-IIS/10.0");
    response.set("X-Powered-By", "ASP.NET");
    response.set(http::field::cache_control, "private, max-age=0");
    response.set(http::field::content_type, to_beast(content_type));
    response.keep_alive(keep_alive);
    response.body() = std::move(body);
    response.prepare_payload();
    return reply;
}

Reply make_json_reply(const Request& request, http::status status, const nlohmann::json& json) {
    return make_reply(request, status, "application/json; charset=utf-8",
                      json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

}  // namespace psguard::emulator
