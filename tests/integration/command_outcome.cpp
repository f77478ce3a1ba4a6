#include "integration/command_outcome.hpp"

#include <cstdio>

#include "core/ascii.hpp"
#include "support/child_process.hpp"

namespace psguard::test {

Outcome run_command(std::vector<std::string> argv,
                    std::vector<std::pair<std::string, std::string>> environment,
                    std::chrono::milliseconds timeout) {
    ChildOptions options;
    options.environment = std::move(environment);
    ChildProcess process(std::move(argv), options);
    const auto code = process.wait(timeout);
    return Outcome{code.value_or(-1), process.stdout_text(), process.stderr_text()};
}

std::string package_guid(int n) {
    char text[64];
    std::snprintf(text, sizeof(text), "{6C821F5E-0000-4000-8000-%012d}", n);
    return text;
}

std::string lower(std::string text) {
    return ascii_lower(text);
}

}  // namespace psguard::test
