#include <windows.h>

#include <cstdlib>

#include "platform/process_end.hpp"

namespace psguard {

void end_process_now(int exit_code) noexcept {
    // Not ExitProcess (nor _Exit, which calls it): that runs every DLL's detach routine, which
    // can wait forever on a lock the stuck thread holds (the loader lock, WinHTTP's own).
    TerminateProcess(GetCurrentProcess(), static_cast<UINT>(exit_code));
    std::_Exit(exit_code);  // not reached: TerminateProcess on the own process does not return
}

}  // namespace psguard
