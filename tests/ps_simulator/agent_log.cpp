#include "agent_log.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <system_error>

namespace psguard::simulator {
namespace {

// CDATA cannot hold "]]>": split it across two sections, as XML writers do.
std::string cdata(const std::string& text) {
    std::string out = "<![CDATA[";
    std::size_t from = 0;
    for (std::size_t at = text.find("]]>"); at != std::string::npos; at = text.find("]]>", from)) {
        out.append(text, from, at + 2 - from);
        out += "]]><![CDATA[";
        from = at + 2;
    }
    out.append(text, from, std::string::npos);
    out += "]]>";
    return out;
}

std::string event(const EventContext& context, const std::string& date, const char* source,
                  std::uint64_t tick_count, const std::string& message) {
    return "<event date='" + date + "' severity='2' hostName='" + context.host_name + "' source='" +
           source + "' module='AeXNSAgent.exe' process='AeXNSAgent.exe' pid='" +
           std::to_string(context.pid) + "' thread='" + std::to_string(context.thread) +
           "' tickCount='" + std::to_string(tick_count) + "' > " + cdata(message) + "</event>\n";
}

std::uint64_t monotonic_milliseconds() {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::uint64_t>(now.tv_sec) * 1000u +
           static_cast<std::uint64_t>(now.tv_nsec) / 1000000u;
}

}  // namespace

EventContext current_event_context() {
    EventContext context;
    context.now = std::time(nullptr);
    std::array<char, HOST_NAME_MAX + 1> name{};
    if (::gethostname(name.data(), name.size() - 1) == 0) {
        context.host_name = name.data();
    }
    if (context.host_name.empty()) {
        context.host_name = "localhost";
    }
    context.pid = static_cast<long>(::getpid());
    context.thread = ::syscall(SYS_gettid);
    context.tick_count = monotonic_milliseconds();
    context.second_tick_count = monotonic_milliseconds();
    return context;
}

std::string access_denied_events(const EventContext& context, const std::string& path) {
    std::tm local{};
    ::localtime_r(&context.now, &local);
    std::array<char, 32> date{};
    // The C locale's month abbreviations, as the agent writes them: "May 16 11:51:05".
    if (std::strftime(date.data(), date.size(), "%b %d %H:%M:%S", &local) == 0) {
        date[0] = '\0';
    }
    return event(context, date.data(), "CreateDirectoryPath", context.tick_count,
                 "Cannot create directory: 0x80070005 [Access is denied] " + path) +
           event(context, date.data(), "EventTransport", context.second_tick_count,
                 "Error while copying event to capture directory: Access is denied "
                 "(-2147024891)");
}

void append_access_denied(const std::filesystem::path& log, const std::string& path) {
    const std::string lines = access_denied_events(current_event_context(), path);
    const int fd =
        ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw std::system_error(errno, std::generic_category(),
                                "cannot open the agent log " + log.string());
    }
    std::size_t done = 0;
    int error_number = 0;
    while (done < lines.size()) {
        const ssize_t written = ::write(fd, lines.data() + done, lines.size() - done);
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            error_number = errno;
            break;
        }
        done += static_cast<std::size_t>(written);
    }
    ::close(fd);
    if (error_number != 0) {
        throw std::system_error(error_number, std::generic_category(),
                                "cannot write the agent log " + log.string());
    }
}

}  // namespace psguard::simulator
