// An answer the server has decided on, plus how to deliver it (late, cut short, streamed):
// handlers stay synchronous and testable, the server owns all the I/O.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "dataset_writer.hpp"

namespace psguard::emulator {

namespace http = boost::beast::http;

using Request = http::request<http::string_body>;

// Boost 1.74's Beast hands out boost::string_view; the emulator works in std::string_view.
inline std::string_view to_std(boost::beast::string_view text) {
    return {text.data(), text.size()};
}
inline boost::beast::string_view to_beast(std::string_view text) {
    return {text.data(), text.size()};
}

using Response = http::response<http::string_body>;

enum class Delivery {
    complete,   // the response as it is
    truncated,  // Content-Length of the whole body, half of it sent, then the connection closed
    streamed,   // header from `response`, body produced by `huge`
};

struct Reply {
    Response response;
    Delivery delivery = Delivery::complete;
    std::chrono::milliseconds delay{0};
    std::optional<HugeDataSet> huge;
};

// A complete reply with IIS-like headers; keep-alive follows the request.
Reply make_reply(unsigned http_version, bool keep_alive, http::status status,
                 std::string_view content_type, std::string body);

inline Reply make_reply(const Request& request, http::status status, std::string_view content_type,
                        std::string body) {
    return make_reply(request.version(), request.keep_alive(), status, content_type,
                      std::move(body));
}

// Invalid UTF-8 (say, from a logged form field) is replaced, never an exception.
Reply make_json_reply(const Request& request, http::status status, const nlohmann::json& json);

}  // namespace psguard::emulator
