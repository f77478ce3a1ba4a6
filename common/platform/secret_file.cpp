#include "platform/secret_file.hpp"
#include "core/utf8_path.hpp"
#include "platform/private_file.hpp"
#include "platform/secret_unprotect.hpp"

namespace psguard {
namespace {

constexpr std::size_t kMaxSecretBytes = 64 * 1024;
constexpr std::string_view kDpapiPrefix = "dpapi:";

}  // namespace

Result<std::string> read_secret_file(const std::filesystem::path& file) {
    auto read = read_private_file(file, "password", kMaxSecretBytes);
    if (!read) {
        return read.error();
    }
    std::string content = std::move(read).value();
    if (const auto end = content.find_first_of("\r\n"); end != std::string::npos) {
        content.resize(end);
    }
    if (content.empty()) {
        return fail(path_to_utf8(file) + ": the password file is empty");
    }
    if (content.starts_with(kDpapiPrefix)) {
        auto clear = unprotect_secret(content.substr(kDpapiPrefix.size()));
        if (!clear) {
            return fail(path_to_utf8(file) + ": " + clear.error().message);
        }
        return clear;
    }
    return content;
}

}  // namespace psguard
