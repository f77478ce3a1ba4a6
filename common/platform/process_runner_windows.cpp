#include <windows.h>

#include <fstream>
#include <thread>

#include "core/utf8_path.hpp"
#include "platform/process_runner.hpp"
#include "platform/win_handle.hpp"
#include "platform/win_text.hpp"

namespace psguard {
namespace {

std::string read_capped(const std::filesystem::path& file, std::size_t max) {
    std::ifstream in(file, std::ios::binary);
    std::string text(max, '\0');
    in.read(text.data(), static_cast<std::streamsize>(max));
    text.resize(static_cast<std::size_t>(in.gcount()));
    return text;
}

std::string cut_short(const std::string& service) {
    return "restarting service " + service + " cut short: psguard is stopping";
}

// Slices of the waits below: how soon a stop request is seen.
constexpr DWORD kStopPollMs = 50;

bool wait_for_state(SC_HANDLE service, DWORD wanted, std::chrono::milliseconds timeout,
                    const std::stop_token& stop) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    SERVICE_STATUS status{};
    while (QueryServiceStatus(service, &status)) {
        if (status.dwCurrentState == wanted) {
            return true;
        }
        if (std::chrono::steady_clock::now() >= deadline || stop.stop_requested()) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    return false;
}

}  // namespace

Result<ProcessOutcome> run_process(const std::vector<std::string>& argv,
                                   std::chrono::milliseconds timeout,
                                   const std::filesystem::path& output_file, std::stop_token stop,
                                   std::size_t max_output) {
    if (argv.empty()) {
        return fail("empty command");
    }
    ProcessOutcome outcome;
    if (stop.stop_requested()) {
        outcome.stopped = true;
        return outcome;
    }
    std::string command_line;
    for (const auto& arg : argv) {
        command_line += (command_line.empty() ? "" : " ") + quote_windows_argument(arg);
    }
    std::wstring wide_command = to_wide(command_line);

    SECURITY_ATTRIBUTES inherit{sizeof(inherit), nullptr, TRUE};
    WinHandle output(CreateFileW(output_file.c_str(), GENERIC_WRITE, FILE_SHARE_READ, &inherit,
                                 CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr));
    if (!output) {
        return fail("cannot create " + path_to_utf8(output_file) + ": " +
                    win_error_text(GetLastError()));
    }
    // A job object kills everything the command started when the timeout strikes, at a stop,
    // and when psguard itself ends (its handle closes).
    WinHandle job(CreateJobObjectW(nullptr, nullptr));
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
    limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    if (job) {
        SetInformationJobObject(job.get(), JobObjectExtendedLimitInformation, &limits,
                                sizeof(limits));
    }

    STARTUPINFOW startup{};
    startup.cb = sizeof(startup);
    startup.dwFlags = STARTF_USESTDHANDLES;
    startup.hStdInput = nullptr;
    startup.hStdOutput = output.get();
    startup.hStdError = output.get();
    PROCESS_INFORMATION process{};
    if (!CreateProcessW(nullptr, wide_command.data(), nullptr, nullptr, TRUE,
                        CREATE_NO_WINDOW | CREATE_SUSPENDED, nullptr, nullptr, &startup,
                        &process)) {
        return fail("cannot start " + argv[0] + ": " + win_error_text(GetLastError()));
    }
    WinHandle process_handle(process.hProcess);
    WinHandle thread_handle(process.hThread);
    if (job) {
        AssignProcessToJobObject(job.get(), process_handle.get());
    }
    ResumeThread(thread_handle.get());
    output.reset();  // the child holds its own copy

    const auto deadline = std::chrono::steady_clock::now() + timeout;
    DWORD waited = WAIT_TIMEOUT;
    while (waited == WAIT_TIMEOUT) {
        waited = WaitForSingleObject(process_handle.get(), kStopPollMs);
        outcome.stopped = waited == WAIT_TIMEOUT && stop.stop_requested();
        outcome.timed_out = waited == WAIT_TIMEOUT && !outcome.stopped &&
                            std::chrono::steady_clock::now() >= deadline;
        if (outcome.stopped || outcome.timed_out) {
            break;
        }
    }
    if (outcome.stopped || outcome.timed_out) {
        if (job) {
            TerminateJobObject(job.get(), 1);
        }
        TerminateProcess(process_handle.get(), 1);
        WaitForSingleObject(process_handle.get(), 5000);
    } else {
        DWORD code = 0;
        GetExitCodeProcess(process_handle.get(), &code);
        outcome.exit_code = static_cast<int>(code);
    }
    outcome.output = read_capped(output_file, max_output);
    return outcome;
}

Status restart_service(const std::string& name, std::chrono::milliseconds timeout,
                       const std::filesystem::path&, std::stop_token stop) {
    ServiceHandle manager(OpenSCManagerW(nullptr, nullptr, SC_MANAGER_CONNECT));
    if (!manager) {
        return fail("cannot open the service manager: " + win_error_text(GetLastError()));
    }
    const std::wstring wide_name = to_wide(name);
    ServiceHandle service(OpenServiceW(manager.get(), wide_name.c_str(),
                                       SERVICE_STOP | SERVICE_START | SERVICE_QUERY_STATUS));
    if (!service) {
        return fail("cannot open service " + name + ": " + win_error_text(GetLastError()));
    }
    SERVICE_STATUS status{};
    if (!ControlService(service.get(), SERVICE_CONTROL_STOP, &status) &&
        GetLastError() != ERROR_SERVICE_NOT_ACTIVE) {
        return fail("cannot stop service " + name + ": " + win_error_text(GetLastError()));
    }
    if (!wait_for_state(service.get(), SERVICE_STOPPED, timeout, stop)) {
        return fail(stop.stop_requested() ? cut_short(name)
                                          : "service " + name + " did not stop in time");
    }
    if (!StartServiceW(service.get(), 0, nullptr)) {
        return fail("cannot start service " + name + ": " + win_error_text(GetLastError()));
    }
    if (!wait_for_state(service.get(), SERVICE_RUNNING, timeout, stop)) {
        return fail(stop.stop_requested() ? cut_short(name)
                                          : "service " + name + " did not start in time");
    }
    return {};
}

}  // namespace psguard
