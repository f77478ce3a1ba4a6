// windows.h first: the other Win32 headers depend on its types.
#include <windows.h>

#include <bcrypt.h>

#include <array>
#include <memory>
#include <optional>
#include <vector>

#include "core/utf8_path.hpp"
#include "platform/sha256.hpp"
#include "platform/win_handle.hpp"
#include "platform/win_text.hpp"

namespace psguard {
namespace {

void close_algorithm(BCRYPT_ALG_HANDLE algorithm) {
    BCryptCloseAlgorithmProvider(algorithm, 0);
}
using AlgorithmHandle = UniqueWin<BCRYPT_ALG_HANDLE, &close_algorithm>;
using HashHandle = UniqueWin<BCRYPT_HASH_HANDLE, &::BCryptDestroyHash>;

class Sha256 {
  public:
    Sha256() {
        BCRYPT_ALG_HANDLE algorithm = nullptr;
        if (BCryptOpenAlgorithmProvider(&algorithm, BCRYPT_SHA256_ALGORITHM, nullptr, 0) != 0) {
            return;
        }
        algorithm_.reset(algorithm);
        BCRYPT_HASH_HANDLE hash = nullptr;
        if (BCryptCreateHash(algorithm, &hash, nullptr, 0, nullptr, 0, 0) != 0) {
            return;
        }
        hash_.reset(hash);
        ok_ = true;
    }
    void update(const void* data, std::size_t size) {
        ok_ = ok_ && BCryptHashData(static_cast<BCRYPT_HASH_HANDLE>(hash_.get()),
                                    static_cast<PUCHAR>(const_cast<void*>(data)),
                                    static_cast<ULONG>(size), 0) == 0;
    }
    std::optional<std::string> finish() {
        std::array<unsigned char, 32> digest{};
        if (!ok_ || BCryptFinishHash(static_cast<BCRYPT_HASH_HANDLE>(hash_.get()), digest.data(),
                                     static_cast<ULONG>(digest.size()), 0) != 0) {
            return std::nullopt;
        }
        static constexpr char kHex[] = "0123456789abcdef";
        std::string hex;
        for (unsigned char byte : digest) {
            hex.push_back(kHex[byte >> 4]);
            hex.push_back(kHex[byte & 0x0F]);
        }
        return hex;
    }

  private:
    AlgorithmHandle algorithm_;
    HashHandle hash_;
    bool ok_ = false;
};

}  // namespace

Result<FileDigest> sha256_file(const std::filesystem::path& file) {
    WinHandle handle(CreateFileW(
        file.c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
        OPEN_EXISTING, FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_SEQUENTIAL_SCAN, nullptr));
    if (!handle) {
        return fail("cannot open " + path_to_utf8(file) + ": " + win_error_text(GetLastError()));
    }
    BY_HANDLE_FILE_INFORMATION info{};
    if (!GetFileInformationByHandle(handle.get(), &info) ||
        (info.dwFileAttributes & (FILE_ATTRIBUTE_REPARSE_POINT | FILE_ATTRIBUTE_DIRECTORY)) != 0) {
        return fail("cannot hash " + path_to_utf8(file) + ": not a regular file");
    }
    Sha256 hash;
    FileDigest digest;
    std::vector<char> buffer(64 * 1024);
    for (;;) {
        DWORD got = 0;
        if (!ReadFile(handle.get(), buffer.data(), static_cast<DWORD>(buffer.size()), &got,
                      nullptr)) {
            return fail("cannot read " + path_to_utf8(file) + ": " +
                        win_error_text(GetLastError()));
        }
        if (got == 0) {
            break;
        }
        hash.update(buffer.data(), got);
        digest.size += got;
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
