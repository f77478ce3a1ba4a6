#include <windows.h>

#include <array>
#include <iostream>
#include <memory>
#include <thread>

#include "core/utf8_path.hpp"
#include "platform/win_handle.hpp"
#include "platform/win_text.hpp"
#include "service_control.hpp"
#include "windows_service.hpp"

namespace psguard {
namespace {

struct RegKeyDeleter {
    void operator()(HKEY key) const noexcept { RegCloseKey(key); }
};
using RegKey = std::unique_ptr<std::remove_pointer_t<HKEY>, RegKeyDeleter>;

constexpr wchar_t kDisplayName[] = L"psguard - Package Server Guard";
constexpr wchar_t kDescription[] =
    L"Watches this ITMS Package Server for packages Ready here but Invalid on the Notification "
    L"Server, diagnoses the cause and heals within guards. Status: http://127.0.0.1:9631/v1/status";
constexpr wchar_t kEventLogKey[] =
    L"SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\psguard";

int fail_with(const std::string& what) {
    std::cerr << "psguard service: " << what << ": " << win_error_text(GetLastError()) << '\n';
    return 1;
}

std::wstring own_path() {
    std::array<wchar_t, 32768> buffer{};
    const DWORD length =
        GetModuleFileNameW(nullptr, buffer.data(), static_cast<DWORD>(buffer.size()));
    return std::wstring(buffer.data(), length);
}

bool register_event_source(const std::wstring& exe) {
    HKEY raw = nullptr;
    if (RegCreateKeyExW(HKEY_LOCAL_MACHINE, kEventLogKey, 0, nullptr, 0, KEY_SET_VALUE, nullptr,
                        &raw, nullptr) != ERROR_SUCCESS) {
        return false;
    }
    RegKey key(raw);
    const DWORD types = EVENTLOG_ERROR_TYPE | EVENTLOG_WARNING_TYPE | EVENTLOG_INFORMATION_TYPE;
    // The executable holds the message table of psguard's event IDs (docs/windows-events.md).
    return RegSetValueExW(key.get(), L"EventMessageFile", 0, REG_EXPAND_SZ,
                          reinterpret_cast<const BYTE*>(exe.c_str()),
                          static_cast<DWORD>((exe.size() + 1) * sizeof(wchar_t))) ==
               ERROR_SUCCESS &&
           RegSetValueExW(key.get(), L"TypesSupported", 0, REG_DWORD,
                          reinterpret_cast<const BYTE*>(&types), sizeof(types)) == ERROR_SUCCESS;
}

bool wait_for(SC_HANDLE service, DWORD wanted, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    SERVICE_STATUS status{};
    while (QueryServiceStatus(service, &status)) {
        if (status.dwCurrentState == wanted) {
            return true;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
}

int install(SC_HANDLE manager, const ServiceCommand& command) {
    const std::wstring exe = own_path();
    std::wstring command_line = L"\"" + exe + L"\" run";
    if (command.config_file) {
        // The SCM starts the service in System32: a relative path would point there.
        std::error_code ec;
        const auto file = std::filesystem::absolute(*command.config_file, ec);
        command_line += L" --config \"" + (ec ? *command.config_file : file).wstring() + L"\"";
    }
    ServiceHandle service(CreateServiceW(manager, kServiceName, kDisplayName, SERVICE_ALL_ACCESS,
                                         SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                                         SERVICE_ERROR_NORMAL, command_line.c_str(), nullptr,
                                         nullptr, nullptr, nullptr /* LocalSystem */, nullptr));
    if (!service) {
        return fail_with("cannot create the service");
    }
    SERVICE_DESCRIPTIONW description{const_cast<wchar_t*>(kDescription)};
    ChangeServiceConfig2W(service.get(), SERVICE_CONFIG_DESCRIPTION, &description);
    SERVICE_DELAYED_AUTO_START_INFO delayed{TRUE};
    ChangeServiceConfig2W(service.get(), SERVICE_CONFIG_DELAYED_AUTO_START_INFO, &delayed);
    if (!set_recovery_actions(service.get())) {
        return fail_with("cannot set the recovery actions");
    }
    if (!register_event_source(exe)) {
        return fail_with("cannot register the Event Log source");
    }
    std::cout << "installed service psguard (automatic, delayed start, LocalSystem)\n";
    return 0;
}

}  // namespace

int run_service_command(const ServiceCommand& command) {
    ServiceHandle manager(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_ALL_ACCESS));
    if (!manager) {
        return fail_with("cannot open the service manager (run as administrator)");
    }
    if (command.action == "install") {
        return install(manager.get(), command);
    }
    ServiceHandle service(OpenServiceW(manager.get(), kServiceName, SERVICE_ALL_ACCESS));
    if (!service) {
        return fail_with("cannot open service psguard");
    }
    SERVICE_STATUS status{};
    if (command.action == "start") {
        if (!StartServiceW(service.get(), 0, nullptr)) {
            return fail_with("cannot start the service");
        }
        if (!wait_for(service.get(), SERVICE_RUNNING, std::chrono::seconds(30))) {
            std::cerr << "psguard service: did not reach RUNNING within 30 s\n";
            return 1;
        }
        std::cout << "service psguard running\n";
        return 0;
    }
    if (command.action == "stop" || command.action == "uninstall") {
        if (ControlService(service.get(), SERVICE_CONTROL_STOP, &status)) {
            wait_for(service.get(), SERVICE_STOPPED, std::chrono::seconds(30));
        }
        if (command.action == "stop") {
            std::cout << "service psguard stopped\n";
            return 0;
        }
        if (!DeleteService(service.get())) {
            return fail_with("cannot delete the service");
        }
        RegDeleteKeyW(HKEY_LOCAL_MACHINE, kEventLogKey);
        std::cout << "uninstalled service psguard\n";
        return 0;
    }
    std::cerr << "psguard service: unknown action " << command.action << '\n';
    return 2;
}

}  // namespace psguard
