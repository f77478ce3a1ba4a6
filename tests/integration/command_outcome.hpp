// Shared by the end-to-end tests: run a command line to its end and keep what it said, and the
// package GUIDs the test trees use.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace psguard::test {

struct Outcome {
    int exit_code = -1;  // -1: still running at the timeout (then killed)
    std::string out;
    std::string err;
    nlohmann::json json() const { return nlohmann::json::parse(out); }
};

Outcome run_command(std::vector<std::string> argv,
                    std::vector<std::pair<std::string, std::string>> environment = {},
                    std::chrono::milliseconds timeout = std::chrono::seconds(60));

// "{6C821F5E-0000-4000-8000-00000000000n}": upper case, as the agent names package folders.
std::string package_guid(int n);

// ASCII lower case: how psguard reports package ids.
std::string lower(std::string text);

}  // namespace psguard::test
