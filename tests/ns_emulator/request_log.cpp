#include "request_log.hpp"

#include <utility>

namespace psguard::emulator {

void RequestLog::add(LoggedRequest request) {
    ++count_;
    recent_.push_back(std::move(request));
    while (recent_.size() > kKept) {
        recent_.pop_front();
    }
}

void RequestLog::clear() {
    recent_.clear();
    count_ = 0;
}

nlohmann::json RequestLog::to_json() const {
    nlohmann::json requests = nlohmann::json::array();
    for (const auto& request : recent_) {
        nlohmann::json form = nlohmann::json::object();
        for (const auto& [name, value] : request.form) {
            form[name] = value;
        }
        requests.push_back({{"method", request.method},
                            {"path", request.path},
                            {"form", form},
                            {"authorization", request.authorization_present},
                            {"status", request.status}});
    }
    return {{"count", count_}, {"requests", requests}};
}

}  // namespace psguard::emulator
