// The process's console boundary: UTF-8 output and UTF-8 arguments on every platform.
#pragma once

#include <string>
#include <vector>

namespace psguard {

// Makes the console show UTF-8 (Windows' console defaults to the OEM code page).
void prepare_console();

// Whether standard output is a terminal that shows ANSI colours (Windows: a console, whose
// virtual-terminal processing this switches on).
bool stdout_is_colour_terminal();

// The command line as UTF-8 strings. On Windows argv is in the ANSI code page, so the
// arguments are taken from the wide command line instead (paths may hold any character).
std::vector<std::string> utf8_arguments(int argc, char** argv);

}  // namespace psguard
