// The Windows service: ServiceMain through StartServiceCtrlDispatcherW, status reporting to the
// SCM, and the STOP/SHUTDOWN/PARAMCHANGE/INTERROGATE controls. Windows only.
#pragma once

#include <filesystem>
#include <optional>

namespace psguard {

inline constexpr wchar_t kServiceName[] = L"psguard";

// Runs the service when the SCM started this process and returns its exit code; nullopt when
// the process was not started by the SCM (then the caller runs in the console).
std::optional<int> run_as_windows_service(const std::filesystem::path& config_file);

}  // namespace psguard
