#include <openssl/evp.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <memory>
#include <optional>
#include <system_error>

#include "core/utf8_path.hpp"
#include "platform/sha256.hpp"
#include "platform/unique_fd.hpp"

namespace psguard {
namespace {

struct DigestContextDeleter {
    void operator()(EVP_MD_CTX* context) const noexcept { EVP_MD_CTX_free(context); }
};
using DigestContext = std::unique_ptr<EVP_MD_CTX, DigestContextDeleter>;

std::string to_hex(const unsigned char* bytes, unsigned length) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(length * 2);
    for (unsigned i = 0; i < length; ++i) {
        hex.push_back(kHex[bytes[i] >> 4]);
        hex.push_back(kHex[bytes[i] & 0x0F]);
    }
    return hex;
}

class Sha256 {
  public:
    Sha256() : context_(EVP_MD_CTX_new()) {
        ok_ = context_ && EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr) == 1;
    }
    bool update(const void* data, std::size_t size) {
        ok_ = ok_ && EVP_DigestUpdate(context_.get(), data, size) == 1;
        return ok_;
    }
    std::optional<std::string> finish() {
        std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
        unsigned length = 0;
        if (!ok_ || EVP_DigestFinal_ex(context_.get(), digest.data(), &length) != 1) {
            return std::nullopt;
        }
        return to_hex(digest.data(), length);
    }

  private:
    DigestContext context_;
    bool ok_ = false;
};

}  // namespace

Result<FileDigest> sha256_file(const std::filesystem::path& file) {
    UniqueFd fd(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    if (!fd) {
        return fail("cannot open " + path_to_utf8(file) + ": " +
                    std::generic_category().message(errno));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        return fail("cannot hash " + path_to_utf8(file) + ": not a regular file");
    }
    Sha256 hash;
    FileDigest digest;
    std::array<char, 64 * 1024> buffer{};
    for (;;) {
        const ssize_t got = ::read(fd.get(), buffer.data(), buffer.size());
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            return fail("cannot read " + path_to_utf8(file) + ": " +
                        std::generic_category().message(errno));
        }
        if (got == 0) {
            break;
        }
        hash.update(buffer.data(), static_cast<std::size_t>(got));
        digest.size += static_cast<std::uint64_t>(got);
    }
    auto hex = hash.finish();
    if (!hex) {
        return fail("SHA-256 failed for " + path_to_utf8(file));
    }
    digest.sha256 = *hex;
    return digest;
}

std::string sha256_hex(std::string_view bytes) {
    Sha256 hash;
    hash.update(bytes.data(), bytes.size());
    return hash.finish().value_or("");
}

}  // namespace psguard
