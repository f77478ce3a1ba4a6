#include "agent_com/agent_com.hpp"

#include <cstdio>

namespace psguard {

const char* to_string(ComFailure failure) {
    switch (failure) {
        case ComFailure::none:
            return "ok";
        case ComFailure::unavailable:
            return "unavailable";
        case ComFailure::not_registered:
            return "not_registered";
        case ComFailure::call_failed:
            return "call_failed";
        case ComFailure::timed_out:
            return "timed_out";
    }
    return "unknown";
}

std::string format_hresult(std::int32_t hresult) {
    char text[16];
    std::snprintf(text, sizeof text, "0x%08X", static_cast<std::uint32_t>(hresult));
    return text;
}

}  // namespace psguard
