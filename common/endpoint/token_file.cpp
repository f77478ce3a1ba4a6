#include "endpoint/token_file.hpp"

#include <system_error>

#include "core/utf8_path.hpp"
#include "platform/private_file.hpp"

namespace psguard {
namespace {

constexpr std::size_t kMaxTokenFileBytes = 4096;

}  // namespace

Result<std::string> read_token_file(const std::filesystem::path& file) {
    auto content = read_private_file(file, "token", kMaxTokenFileBytes);
    if (!content) {
        return content.error();
    }
    return parse_token_text(*content, file);
}

Result<std::string> ensure_token_file(const std::filesystem::path& file) {
    std::error_code ec;
    if (std::filesystem::symlink_status(file, ec).type() == std::filesystem::file_type::not_found) {
        return create_token_file(file);
    }
    // Whatever else is there (even something unreadable) is judged, never replaced.
    return read_token_file(file);
}

Status check_token_file(const std::filesystem::path& file, const std::filesystem::path& state_dir) {
    std::error_code ec;
    if (std::filesystem::symlink_status(file, ec).type() != std::filesystem::file_type::not_found) {
        if (auto token = read_token_file(file); !token) {
            return token.error();
        }
        return {};
    }
    const auto folder = file.parent_path();
    if (folder.lexically_normal() == state_dir.lexically_normal() ||
        std::filesystem::is_directory(folder, ec)) {
        return {};
    }
    return fail(path_to_utf8(file) +
                ": psguard would create the token file there, but the folder " +
                path_to_utf8(folder) + " does not exist");
}

bool tokens_equal(std::string_view expected, std::string_view presented) {
    // Every byte of `expected` is looked at whatever `presented` holds, so the time taken does
    // not tell an attacker how many leading characters were right.
    unsigned difference = expected.size() == presented.size() ? 0U : 1U;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const auto theirs = i < presented.size() ? static_cast<unsigned char>(presented[i]) : 0U;
        difference |= static_cast<unsigned char>(expected[i]) ^ theirs;
    }
    return difference == 0;
}

Result<std::string> parse_token_text(std::string_view content, const std::filesystem::path& file) {
    if (const auto end = content.find_first_of("\r\n"); end != std::string_view::npos) {
        content = content.substr(0, end);
    }
    while (!content.empty() && (content.front() == ' ' || content.front() == '\t')) {
        content.remove_prefix(1);
    }
    while (!content.empty() && (content.back() == ' ' || content.back() == '\t')) {
        content.remove_suffix(1);
    }
    const std::string where = path_to_utf8(file) + ": ";
    if (content.size() < kMinTokenChars || content.size() > kMaxTokenChars) {
        return fail(where + "the token must be " + std::to_string(kMinTokenChars) + " to " +
                    std::to_string(kMaxTokenChars) +
                    " characters on the first line (psguard can write one: see docs/endpoint.md)");
    }
    // It travels in an HTTP header: visible ASCII only.
    for (const char c : content) {
        if (c <= ' ' || c > '~') {
            return fail(where + "the token may hold only visible ASCII characters");
        }
    }
    return std::string(content);
}

std::string hex_encode(std::span<const unsigned char> bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string text;
    text.reserve(bytes.size() * 2);
    for (const unsigned char byte : bytes) {
        text.push_back(kDigits[byte >> 4]);
        text.push_back(kDigits[byte & 0x0f]);
    }
    return text;
}

}  // namespace psguard
