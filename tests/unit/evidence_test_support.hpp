// Helpers shared by the evidence tests: agent log lines, UTF-16 encoding, the KB fixture.
#pragma once

#ifdef _WIN32
#include <windows.h>
#endif

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "evidence/agent_log_reader.hpp"
#include "unit/agent_log_lines.hpp"
#include "wine_detect.hpp"

namespace psguard::test {

// A file of tests/fixtures/evidence, as bytes.
inline std::string evidence_fixture(std::string_view name) {
    const std::filesystem::path file =
        std::filesystem::path(PSGUARD_FIXTURES_DIR) / "evidence" / std::string(name);
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot read the fixture " + std::string(name));
    }
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// The two lines of the Broadcom KB, verbatim (tests/fixtures/evidence/agent-kb.log).
inline std::string kb_log() {
    return evidence_fixture("agent-kb.log");
}

// UTF-8 to UTF-16 (surrogate pairs included), optionally with a BOM.
inline std::string to_utf16(std::string_view utf8, bool big_endian, bool bom = true) {
    std::string out;
    const auto unit = [&](std::uint32_t u) {
        const char high = static_cast<char>((u >> 8) & 0xFF);
        const char low = static_cast<char>(u & 0xFF);
        out += big_endian ? high : low;
        out += big_endian ? low : high;
    };
    if (bom) {
        unit(0xFEFF);
    }
    for (std::size_t i = 0; i < utf8.size();) {
        const auto lead = static_cast<unsigned char>(utf8[i]);
        std::uint32_t cp = lead;
        std::size_t length = 1;
        if (lead >= 0xF0) {
            cp = lead & 0x07;
            length = 4;
        } else if (lead >= 0xE0) {
            cp = lead & 0x0F;
            length = 3;
        } else if (lead >= 0xC0) {
            cp = lead & 0x1F;
            length = 2;
        }
        for (std::size_t k = 1; k < length; ++k) {
            cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
        }
        i += length;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            unit(0xD800 + (cp >> 10));
            unit(0xDC00 + (cp & 0x3FF));
        } else {
            unit(cp);
        }
    }
    return out;
}

inline std::string with_crlf(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '\n') {
            out += '\r';
        }
        out += c;
    }
    return out;
}

inline void append_file(const std::filesystem::path& path, std::string_view bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
        throw std::runtime_error("cannot append to a test file");
    }
}

// Runs one read and returns the events; fails the test on an error.
inline std::vector<LogEvent> read_events(AgentLogReader& reader, const std::filesystem::path& dir,
                                         LogReadStats* stats_out = nullptr) {
    std::vector<LogEvent> events;
    auto stats = reader.read_new(dir, [&](const LogEvent& event) { events.push_back(event); });
    if (!stats) {
        throw std::runtime_error("read_new failed: " + stats.error().message);
    }
    if (stats_out != nullptr) {
        *stats_out = stats.value();
    }
    return events;
}

}  // namespace psguard::test
