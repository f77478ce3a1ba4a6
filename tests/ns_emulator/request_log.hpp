// What the emulator was asked, for tests to assert on (GET /_emulator/requests).
// Credentials are never kept: only whether an Authorization header was present.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

#include <nlohmann/json.hpp>

#include "form.hpp"

namespace psguard::emulator {

struct LoggedRequest {
    std::string method;
    std::string path;
    FormFields form;
    bool authorization_present = false;
    unsigned status = 0;  // what the emulator answered
};

class RequestLog {
  public:
    static constexpr std::size_t kKept = 50;

    void add(LoggedRequest request);
    void clear();
    nlohmann::json to_json() const;  // {"count": total since start/clear, "requests": [...]}

  private:
    std::deque<LoggedRequest> recent_;
    std::uint64_t count_ = 0;
};

}  // namespace psguard::emulator
