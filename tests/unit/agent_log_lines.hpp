// Lines of the Symantec agent's log as the agent writes them, for tests that feed its log.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace psguard::test {

// One event as the agent writes it, on one line.
inline std::string agent_event(std::string_view source, std::string_view message,
                               std::string_view date = "May 16 11:51:05",
                               std::uint64_t tick = 495844828) {
    return "<event date='" + std::string(date) + "' severity='2' hostName='xx100' source='" +
           std::string(source) +
           "' module='AeXNSAgent.exe' process='AeXNSAgent.exe' pid='724' thread='1740' "
           "tickCount='" +
           std::to_string(tick) + "' > <![CDATA[" + std::string(message) + "]]></event>\n";
}

}  // namespace psguard::test
