// The Windows service: ServiceMain through StartServiceCtrlDispatcherW, status reporting to the
// SCM, and the STOP/SHUTDOWN/PARAMCHANGE/INTERROGATE controls. Windows only.
#pragma once

#include <windows.h>

#include <optional>

#include "commands/config_source.hpp"

namespace psguard {

inline constexpr wchar_t kServiceName[] = L"psguard";

// Runs the service when the SCM started this process and returns its exit code; nullopt when
// the process was not started by the SCM (then the caller runs in the console).
std::optional<int> run_as_windows_service(const ConfigSource& source);

// psguard's recovery policy: restart after 60 s, three times, the count reset after a day without
// failure, also when the service stops itself with a non-zero exit code (a bad configuration).
// `service` needs SERVICE_CHANGE_CONFIG. False when the SCM refused the actions themselves.
bool set_recovery_actions(SC_HANDLE service);

// Called by the running service: when its SCM entry has no recovery actions (installed by the
// MSI, whose wixl build cannot fill the MsiServiceConfigFailureActions table, or by `sc create`),
// sets psguard's policy; actions an administrator configured are left alone. Best effort: the
// outcome is logged, never fatal.
void ensure_recovery_actions();

}  // namespace psguard
