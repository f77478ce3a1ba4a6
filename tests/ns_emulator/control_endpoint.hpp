// Runtime control for tests and the demo, on the same listener as the NS endpoint:
//   GET  /_emulator/scenario         the current scenario (password masked)
//   POST /_emulator/scenario         patch the scenario: present keys replace, absent keys stay
//   POST /_emulator/package-status   {"server", "guid", "status"?, "reported_version"?, ...}
//   GET  /_emulator/requests         {"count", "requests": the last 50 NS requests}
//   DELETE /_emulator/requests       forget the logged requests
// Control requests are neither authenticated, faulted nor logged.
#pragma once

#include <string_view>

#include "emulator_state.hpp"
#include "reply.hpp"

namespace psguard::emulator {

bool is_control_target(std::string_view target);

Reply answer_control_request(const Request& request, EmulatorState& state);

}  // namespace psguard::emulator
