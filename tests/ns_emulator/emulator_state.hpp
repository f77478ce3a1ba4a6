// Everything a running emulator remembers. Owned by the server and touched only from its single
// io_context thread, so it needs no locking.
#pragma once

#include <cstdint>

#include "request_log.hpp"
#include "scenario.hpp"

namespace psguard::emulator {

struct EmulatorState {
    Scenario scenario;
    RequestLog log;
    std::uint32_t failures_served = 0;  // fail_first_n: 503s answered since the fault was set
};

}  // namespace psguard::emulator
