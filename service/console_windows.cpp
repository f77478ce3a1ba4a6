// windows.h first: the other Win32 headers depend on its types.
#include <windows.h>

#include <shellapi.h>

#include <memory>

#include "console.hpp"
#include "core/utf8_path.hpp"
#include "platform/win_handle.hpp"

namespace psguard {

void prepare_console() {
    SetConsoleOutputCP(CP_UTF8);
}

bool stdout_is_colour_terminal() {
    HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
    DWORD mode = 0;
    if (out == INVALID_HANDLE_VALUE || out == nullptr || !GetConsoleMode(out, &mode)) {
        return false;  // a file or a pipe
    }
    return (mode & ENABLE_VIRTUAL_TERMINAL_PROCESSING) != 0 ||
           SetConsoleMode(out, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING) != 0;
}

std::vector<std::string> utf8_arguments(int argc, char** argv) {
    int count = 0;
    LocalPtr<LPWSTR> wide(CommandLineToArgvW(GetCommandLineW(), &count));
    if (!wide || count != argc) {
        return std::vector<std::string>(argv, argv + argc);
    }
    std::vector<std::string> arguments;
    arguments.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
        arguments.push_back(path_to_utf8(std::filesystem::path(wide.get()[i])));
    }
    return arguments;
}

}  // namespace psguard
