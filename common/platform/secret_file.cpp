#include <fstream>
#include <iterator>

#include "core/utf8_path.hpp"
#include "platform/secret_file.hpp"
#include "platform/secret_unprotect.hpp"

namespace psguard {
namespace {

constexpr std::size_t kMaxSecretBytes = 64 * 1024;
constexpr std::string_view kDpapiPrefix = "dpapi:";

}  // namespace

Result<std::string> read_secret_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return fail(path_to_utf8(file) + ": cannot open the secret file");
    }
    std::string content;
    content.resize(kMaxSecretBytes + 1);
    in.read(content.data(), static_cast<std::streamsize>(content.size()));
    content.resize(static_cast<std::size_t>(in.gcount()));
    if (content.size() > kMaxSecretBytes) {
        return fail(path_to_utf8(file) + ": secret file is larger than 64 KiB");
    }
    if (const auto end = content.find_first_of("\r\n"); end != std::string::npos) {
        content.resize(end);
    }
    if (content.empty()) {
        return fail(path_to_utf8(file) + ": secret file is empty");
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
