#include "acl/acl_binary.hpp"

#include <string>

namespace psguard::acl {
namespace {

constexpr std::size_t kAclHeader = 8;
constexpr std::size_t kAceHeader = 4;
constexpr std::size_t kMaskSize = 4;
constexpr unsigned char kAllowed = 0;          // ACCESS_ALLOWED_ACE_TYPE
constexpr unsigned char kDenied = 1;           // ACCESS_DENIED_ACE_TYPE
constexpr unsigned char kAllowedCallback = 9;  // ACCESS_ALLOWED_CALLBACK_ACE_TYPE
constexpr unsigned char kDeniedCallback = 10;  // ACCESS_DENIED_CALLBACK_ACE_TYPE
constexpr unsigned char kAclRevision = 2;      // ACL_REVISION

std::uint32_t read_le(const unsigned char* data, std::size_t bytes) {
    std::uint32_t value = 0;
    for (std::size_t i = bytes; i > 0; --i) {
        value = (value << 8) | data[i - 1];
    }
    return value;
}

void write_le(std::vector<unsigned char>& out, std::uint32_t value, std::size_t bytes) {
    for (std::size_t i = 0; i < bytes; ++i) {
        out.push_back(static_cast<unsigned char>((value >> (8 * i)) & 0xFF));
    }
}

}  // namespace

Result<Dacl> parse_acl(const unsigned char* data, std::size_t size) {
    if (data == nullptr || size < kAclHeader) {
        return fail("truncated ACL");
    }
    const std::size_t acl_size = read_le(data + 2, 2);
    const std::size_t count = read_le(data + 4, 2);
    if (acl_size < kAclHeader || acl_size > size) {
        return fail("ACL size " + std::to_string(acl_size) + " does not fit its buffer");
    }
    Dacl dacl;
    std::size_t at = kAclHeader;
    for (std::size_t i = 0; i < count; ++i) {
        if (acl_size - at < kAceHeader + kMaskSize) {
            return fail("ACE " + std::to_string(i) + " is truncated");
        }
        const unsigned char* ace = data + at;
        const std::size_t ace_size = read_le(ace + 2, 2);
        if (ace_size < kAceHeader + kMaskSize || ace_size > acl_size - at) {
            return fail("ACE " + std::to_string(i) + " has an impossible size");
        }
        Ace parsed;
        parsed.raw_type = ace[0];
        parsed.flags = ace[1];
        parsed.mask = read_le(ace + kAceHeader, 4);
        const bool simple = ace[0] == kAllowed || ace[0] == kDenied;
        parsed.kind = ace[0] == kAllowed  ? AceKind::allow
                      : ace[0] == kDenied ? AceKind::deny
                                          : AceKind::other;
        if (simple || ace[0] == kAllowedCallback || ace[0] == kDeniedCallback) {
            const std::size_t sid_at = kAceHeader + kMaskSize;
            auto sid = Sid::from_bytes(ace + sid_at, ace_size - sid_at);
            if (!sid) {
                if (simple) {
                    return fail("ACE " + std::to_string(i) + ": " + sid.error().message);
                }
            } else {
                parsed.trustee = std::move(sid.value());
            }
        }
        dacl.aces.push_back(std::move(parsed));
        at += ace_size;
    }
    return dacl;
}

Result<std::vector<unsigned char>> serialize_acl(const Dacl& dacl) {
    std::vector<unsigned char> body;
    for (std::size_t i = 0; i < dacl.aces.size(); ++i) {
        const Ace& ace = dacl.aces[i];
        if (ace.kind == AceKind::other) {
            return fail("ACE " + std::to_string(i) + " is of a type that cannot be written back");
        }
        const auto sid = ace.trustee.to_bytes();
        body.push_back(ace.kind == AceKind::allow ? kAllowed : kDenied);
        body.push_back(ace.flags);
        write_le(body, static_cast<std::uint32_t>(kAceHeader + kMaskSize + sid.size()), 2);
        write_le(body, ace.mask, 4);
        body.insert(body.end(), sid.begin(), sid.end());
    }
    if (kAclHeader + body.size() > 0xFFFF || dacl.aces.size() > 0xFFFF) {
        return fail("the ACL would exceed 64 KiB");
    }
    std::vector<unsigned char> out;
    out.push_back(kAclRevision);
    out.push_back(0);
    write_le(out, static_cast<std::uint32_t>(kAclHeader + body.size()), 2);
    write_le(out, static_cast<std::uint32_t>(dacl.aces.size()), 2);
    write_le(out, 0, 2);
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

std::size_t explicit_insert_position(const Dacl& dacl) {
    for (std::size_t i = 0; i < dacl.aces.size(); ++i) {
        if (dacl.aces[i].inherited()) {
            return i;
        }
    }
    return dacl.aces.size();
}

}  // namespace psguard::acl
