#include <windows.h>

#include <atomic>
#include <mutex>

#include "agent_host.hpp"
#include "windows_service.hpp"

namespace psguard {
namespace {

// The SCM calls ServiceMain and the control handler as plain functions: the one place where
// state must be reachable without an argument. It is set once before the dispatcher starts and
// only read afterwards.
struct ServiceContext {
    std::filesystem::path config_file;
    SERVICE_STATUS_HANDLE status_handle = nullptr;
    std::mutex mutex;
    AgentHost* host = nullptr;
    DWORD checkpoint = 0;
    int exit_code = 0;
};

ServiceContext& context() {
    static ServiceContext instance;
    return instance;
}

void report(DWORD state, DWORD exit_code = NO_ERROR, DWORD wait_hint_ms = 0) {
    auto& ctx = context();
    SERVICE_STATUS status{};
    status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    status.dwCurrentState = state;
    status.dwControlsAccepted =
        state == SERVICE_START_PENDING
            ? 0
            : SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN | SERVICE_ACCEPT_PARAMCHANGE;
    status.dwWin32ExitCode = exit_code == NO_ERROR ? NO_ERROR : ERROR_SERVICE_SPECIFIC_ERROR;
    status.dwServiceSpecificExitCode = exit_code;
    status.dwWaitHint = wait_hint_ms;
    status.dwCheckPoint =
        state == SERVICE_RUNNING || state == SERVICE_STOPPED ? 0 : ++ctx.checkpoint;
    SetServiceStatus(ctx.status_handle, &status);
}

DWORD WINAPI control_handler(DWORD control, DWORD, LPVOID, LPVOID) {
    auto& ctx = context();
    std::lock_guard lock(ctx.mutex);
    switch (control) {
        case SERVICE_CONTROL_STOP:
        case SERVICE_CONTROL_SHUTDOWN:
            report(SERVICE_STOP_PENDING, NO_ERROR, 10000);
            if (ctx.host != nullptr) {
                ctx.host->stop();
            }
            return NO_ERROR;
        case SERVICE_CONTROL_PARAMCHANGE:
            if (ctx.host != nullptr) {
                ctx.host->reload();
            }
            return NO_ERROR;
        case SERVICE_CONTROL_INTERROGATE:
            return NO_ERROR;
        default:
            return ERROR_CALL_NOT_IMPLEMENTED;
    }
}

void WINAPI service_main(DWORD, LPWSTR*) {
    auto& ctx = context();
    ctx.status_handle = RegisterServiceCtrlHandlerExW(kServiceName, control_handler, nullptr);
    if (ctx.status_handle == nullptr) {
        return;
    }
    report(SERVICE_START_PENDING, NO_ERROR, 30000);
    auto host = AgentHost::create(ctx.config_file, /*log_to_stderr=*/false);
    if (!host) {
        // A bad configuration is a start-up failure with a non-zero code: recovery actions fire.
        ctx.exit_code = 2;
        report(SERVICE_STOPPED, 2);
        return;
    }
    {
        std::lock_guard lock(ctx.mutex);
        ctx.host = host->get();
    }
    report(SERVICE_RUNNING);
    const int code = (*host)->run();
    {
        std::lock_guard lock(ctx.mutex);
        ctx.host = nullptr;
    }
    ctx.exit_code = code;
    report(SERVICE_STOPPED, static_cast<DWORD>(code));
}

}  // namespace

std::optional<int> run_as_windows_service(const std::filesystem::path& config_file) {
    context().config_file = config_file;
    wchar_t name[] = L"psguard";
    const SERVICE_TABLE_ENTRYW table[] = {{name, service_main}, {nullptr, nullptr}};
    if (!StartServiceCtrlDispatcherW(table)) {
        if (GetLastError() == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT) {
            return std::nullopt;  // not started by the SCM: a console run
        }
        return 2;
    }
    return context().exit_code;
}

}  // namespace psguard
