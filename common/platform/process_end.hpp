// Ending the process at once, for the stop that cannot wait any longer (a cycle still running
// past the grace): no destructor, no atexit handler, no library unload. A thread that is stuck
// may hold a lock that any of those would wait for, and the process would never end.
#pragma once

namespace psguard {

[[noreturn]] void end_process_now(int exit_code) noexcept;

}  // namespace psguard
