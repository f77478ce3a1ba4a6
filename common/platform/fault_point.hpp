// Crash injection for tests: in builds with PSGUARD_FAULT_POINTS (test builds only; release
// packages are built without), the process kills itself at the named point when the environment
// variable PSGUARD_FAULT_POINT holds that name — as abruptly as SIGKILL or a power cut, so that
// tests can prove the journal leaves nothing lost after the next start.
#pragma once

#include <string_view>

namespace psguard {

void fault_point(std::string_view name);

// True when PSGUARD_FAULT_POINT names `name` in a test build: for faults that are simulated
// rather than crashed into (a lost file-watch queue, say).
bool fault_enabled(std::string_view name);

}  // namespace psguard
