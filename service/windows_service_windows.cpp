#include <windows.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "agent_host.hpp"
#include "platform/win_handle.hpp"
#include "platform/win_text.hpp"
#include "windows_service.hpp"

namespace psguard {
namespace {

// The SCM calls ServiceMain and the control handler as plain functions: the one place where
// state must be reachable without an argument. It is set once before the dispatcher starts and
// only read afterwards.
struct ServiceContext {
    ConfigSource source;
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
    auto host = AgentHost::create(ctx.source, /*log_to_stderr=*/false);
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
    ensure_recovery_actions();
    // A forced exit (a cycle past the stop's grace) is a stop the SCM asked for, not a crash.
    const int code = (*host)->run([] { report(SERVICE_STOPPED); });
    {
        std::lock_guard lock(ctx.mutex);
        ctx.host = nullptr;
    }
    // Ended (its threads joined, the log flushed and closed) before the SCM hears STOPPED: the
    // dispatcher then returns and the process exits, whatever this thread is still doing.
    host.value().reset();
    ctx.exit_code = code;
    report(SERVICE_STOPPED, static_cast<DWORD>(code));
}

}  // namespace

bool set_recovery_actions(SC_HANDLE service) {
    std::array<SC_ACTION, 3> actions{
        {{SC_ACTION_RESTART, 60000}, {SC_ACTION_RESTART, 60000}, {SC_ACTION_RESTART, 60000}}};
    SERVICE_FAILURE_ACTIONSW failure{};
    failure.dwResetPeriod = 24 * 60 * 60;
    failure.cActions = static_cast<DWORD>(actions.size());
    failure.lpsaActions = actions.data();
    if (!ChangeServiceConfig2W(service, SERVICE_CONFIG_FAILURE_ACTIONS, &failure)) {
        return false;
    }
    // Not every SCM knows this level (Wine: ERROR_INVALID_LEVEL); the actions above still hold
    // for crashes.
    SERVICE_FAILURE_ACTIONS_FLAG flag{TRUE};
    ChangeServiceConfig2W(service, SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, &flag);
    return true;
}

void ensure_recovery_actions() {
    ServiceHandle manager(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT));
    ServiceHandle service(manager ? OpenServiceW(manager.get(), kServiceName,
                                                 SERVICE_QUERY_CONFIG | SERVICE_CHANGE_CONFIG)
                                  : nullptr);
    if (!service) {
        spdlog::warn("recovery actions not checked: {}", win_error_text(GetLastError()));
        return;
    }
    DWORD needed = 0;
    QueryServiceConfig2W(service.get(), SERVICE_CONFIG_FAILURE_ACTIONS, nullptr, 0, &needed);
    std::vector<BYTE> buffer(std::max<DWORD>(needed, sizeof(SERVICE_FAILURE_ACTIONSW)));
    if (QueryServiceConfig2W(service.get(), SERVICE_CONFIG_FAILURE_ACTIONS, buffer.data(),
                             static_cast<DWORD>(buffer.size()), &needed)) {
        const auto* current = reinterpret_cast<const SERVICE_FAILURE_ACTIONSW*>(buffer.data());
        if (current->cActions > 0) {
            return;  // configured (by psguard service install or an administrator)
        }
    }
    if (set_recovery_actions(service.get())) {
        spdlog::info("recovery actions set: restart after 60 s, three times a day");
    } else {
        spdlog::warn("cannot set the recovery actions: {}", win_error_text(GetLastError()));
    }
}

std::optional<int> run_as_windows_service(const ConfigSource& source) {
    context().source = source;
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
