// POSIX-only helpers shared by the libacl adapters (reader and repair).
#pragma once

#ifndef _WIN32

#include <sys/acl.h>

#include <cerrno>

#include <string>
#include <utility>
#include <vector>

#include "acl/posix_acl_model.hpp"
#include "core/result.hpp"

namespace psguard::acl {

// Owns an acl_t (or any libacl allocation: text, qualifiers) released with acl_free.
template <typename T>
class AclOwned {
  public:
    AclOwned() noexcept = default;
    explicit AclOwned(T value) noexcept : value_(value) {}
    ~AclOwned() { reset(); }
    AclOwned(const AclOwned&) = delete;
    AclOwned& operator=(const AclOwned&) = delete;
    AclOwned(AclOwned&& other) noexcept : value_(std::exchange(other.value_, nullptr)) {}
    AclOwned& operator=(AclOwned&& other) noexcept {
        if (this != &other) {
            reset();
            value_ = std::exchange(other.value_, nullptr);
        }
        return *this;
    }

    T get() const noexcept { return value_; }
    // For libacl calls that may reallocate the ACL in place (acl_create_entry, acl_calc_mask).
    T* address() noexcept { return &value_; }
    explicit operator bool() const noexcept { return value_ != nullptr; }
    void reset() noexcept {
        if (value_ != nullptr) {
            acl_free(value_);
            value_ = nullptr;
        }
    }

  private:
    T value_ = nullptr;
};

using AclHandle = AclOwned<acl_t>;

// Reads the entries of a libacl ACL into the model (owner and mode come from stat).
Result<std::vector<PosixEntry>> entries_from_libacl(acl_t acl);

// The ACL as short text with numeric ids ("user::rw-,user:65534:r--,group::r--,mask::r--,
// other::r--"), which acl_from_text reads back; empty for an ACL without entries
// (acl_repair_posix.cpp).
Result<std::string> to_text(const AclHandle& handle);

// ENOTSUP / ENOSYS from an ACL call: the file system keeps no POSIX ACLs (mode bits only).
inline bool no_acl_support(int error) {
    return error == ENOTSUP || error == ENOSYS;
}

}  // namespace psguard::acl

#endif  // _WIN32
