#include "acl/acl_model.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>

namespace psguard::acl {
namespace {

constexpr std::uint64_t kMaxAuthority = 0xFFFFFFFFFFFFull;  // 48 bits
constexpr std::size_t kMaxSubAuthorities = 15;              // SID_MAX_SUB_AUTHORITIES

std::string lower_trimmed(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) {
        text.remove_prefix(1);
    }
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
        text.remove_suffix(1);
    }
    std::string out(text);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

template <typename T>
bool parse_number(std::string_view text, int base, T& value) {
    if (text.empty()) {
        return false;
    }
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    return error == std::errc() && end == text.data() + text.size();
}

struct NamedGroup {
    std::string_view name;
    AccessMask mask;
};

// Groups of rights as Explorer's permission dialog names them, plus "modify" as psguard means it.
constexpr std::array<NamedGroup, 6> kGroups{{
    {"full control", rights::file_all_access},
    {"modify", rights::modify},
    {"read and execute", rights::file_generic_read | rights::file_generic_execute},
    {"read", rights::file_generic_read},
    {"write", rights::file_generic_write},
    {"create files and folders", rights::write_data | rights::append_data},
}};

struct WellKnown {
    std::uint64_t authority;
    std::array<std::uint32_t, 2> subs;
    std::size_t count;
    std::string_view name;
};

constexpr std::array<WellKnown, 20> kWellKnown{{
    {1, {0, 0}, 1, "Everyone"},
    {2, {0, 0}, 1, "LOCAL"},
    {3, {0, 0}, 1, "CREATOR OWNER"},
    {3, {1, 0}, 1, "CREATOR GROUP"},
    {3, {4, 0}, 1, "OWNER RIGHTS"},
    {5, {2, 0}, 1, "NT AUTHORITY\\NETWORK"},
    {5, {3, 0}, 1, "NT AUTHORITY\\BATCH"},
    {5, {4, 0}, 1, "NT AUTHORITY\\INTERACTIVE"},
    {5, {6, 0}, 1, "NT AUTHORITY\\SERVICE"},
    {5, {11, 0}, 1, "NT AUTHORITY\\Authenticated Users"},
    {5, {15, 0}, 1, "NT AUTHORITY\\This Organization"},
    {5, {18, 0}, 1, "NT AUTHORITY\\SYSTEM"},
    {5, {19, 0}, 1, "NT AUTHORITY\\LOCAL SERVICE"},
    {5, {20, 0}, 1, "NT AUTHORITY\\NETWORK SERVICE"},
    {5, {113, 0}, 1, "NT AUTHORITY\\Local account"},
    {5, {32, 544}, 2, "BUILTIN\\Administrators"},
    {5, {32, 545}, 2, "BUILTIN\\Users"},
    {5, {32, 546}, 2, "BUILTIN\\Guests"},
    {5, {32, 547}, 2, "BUILTIN\\Power Users"},
    {5, {32, 551}, 2, "BUILTIN\\Backup Operators"},
}};

}  // namespace

AccessMask map_generic(AccessMask mask) {
    AccessMask mapped = mask & ~(rights::generic_read | rights::generic_write |
                                 rights::generic_execute | rights::generic_all);
    if ((mask & rights::generic_read) != 0) {
        mapped |= rights::file_generic_read;
    }
    if ((mask & rights::generic_write) != 0) {
        mapped |= rights::file_generic_write;
    }
    if ((mask & rights::generic_execute) != 0) {
        mapped |= rights::file_generic_execute;
    }
    if ((mask & rights::generic_all) != 0) {
        mapped |= rights::file_all_access;
    }
    return mapped;
}

std::vector<std::string> right_names(AccessMask mask) {
    mask = map_generic(mask);
    std::vector<std::string> names;
    AccessMask named = 0;
    for (const auto& right : kRightNames) {
        if ((mask & right.mask) != 0) {
            names.emplace_back(right.name);
            named |= right.mask;
        }
    }
    if (const AccessMask rest = mask & ~named; rest != 0) {
        char text[16];
        std::snprintf(text, sizeof text, "0x%08lX", static_cast<unsigned long>(rest));
        names.push_back(std::string("other rights ") + text);
    }
    return names;
}

std::optional<AccessMask> right_from_name(std::string_view name) {
    const std::string wanted = lower_trimmed(name);
    for (const auto& right : kRightNames) {
        if (right.name == wanted) {
            return right.mask;
        }
    }
    for (const auto& group : kGroups) {
        if (group.name == wanted) {
            return group.mask;
        }
    }
    return std::nullopt;
}

Result<Sid> Sid::parse(std::string_view text) {
    const std::string original(text);
    const auto bad = [&](const std::string& why) {
        return fail("\"" + original + "\" is not a SID string: " + why);
    };
    if (text.size() < 2 || (text[0] != 'S' && text[0] != 's') || text[1] != '-') {
        return bad("it must start with \"S-\"");
    }
    text.remove_prefix(2);
    std::vector<std::string_view> parts;
    for (;;) {
        const auto dash = text.find('-');
        parts.push_back(text.substr(0, dash));
        if (dash == std::string_view::npos) {
            break;
        }
        text.remove_prefix(dash + 1);
    }
    if (parts.size() < 2) {
        return bad("it needs a revision and an authority");
    }
    unsigned revision = 0;
    if (!parse_number(parts[0], 10, revision) || revision != 1) {
        return bad("the revision must be 1");
    }
    std::uint64_t authority = 0;
    const std::string_view authority_text = parts[1];
    const bool hex = authority_text.size() > 2 &&
                     (authority_text.substr(0, 2) == "0x" || authority_text.substr(0, 2) == "0X");
    if (!(hex ? parse_number(authority_text.substr(2), 16, authority)
              : parse_number(authority_text, 10, authority)) ||
        authority > kMaxAuthority) {
        return bad("the identifier authority is not a 48-bit number");
    }
    if (parts.size() - 2 > kMaxSubAuthorities) {
        return bad("more than 15 sub-authorities");
    }
    std::vector<std::uint32_t> subs;
    for (std::size_t i = 2; i < parts.size(); ++i) {
        std::uint32_t sub = 0;
        if (!parse_number(parts[i], 10, sub)) {
            // '"', not "\"": GCC 12 -O3 warns falsely there (-Wrestrict, GCC bug 105329).
            return bad('"' + std::string(parts[i]) + "\" is not a 32-bit sub-authority");
        }
        subs.push_back(sub);
    }
    return Sid(authority, std::move(subs));
}

Result<Sid> Sid::from_bytes(const unsigned char* data, std::size_t size) {
    if (data == nullptr || size < 8) {
        return fail("truncated SID");
    }
    if (data[0] != 1) {
        return fail("SID revision " + std::to_string(data[0]) + ", expected 1");
    }
    const std::size_t count = data[1];
    if (count > kMaxSubAuthorities || size < 8 + 4 * count) {
        return fail("truncated or oversized SID");
    }
    std::uint64_t authority = 0;
    for (std::size_t i = 2; i < 8; ++i) {
        authority = (authority << 8) | data[i];
    }
    std::vector<std::uint32_t> subs;
    for (std::size_t i = 0; i < count; ++i) {
        const unsigned char* p = data + 8 + 4 * i;
        subs.push_back(static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
                       static_cast<std::uint32_t>(p[2]) << 16 |
                       static_cast<std::uint32_t>(p[3]) << 24);
    }
    return Sid(authority, std::move(subs));
}

std::string Sid::to_string() const {
    std::string text = "S-1-";
    if (authority_ >= (1ull << 32)) {  // the SDDL convention for large authorities
        char hex[24];
        std::snprintf(hex, sizeof hex, "0x%012llX", static_cast<unsigned long long>(authority_));
        text += hex;
    } else {
        text += std::to_string(authority_);
    }
    for (const std::uint32_t sub : sub_authorities_) {
        text += '-';
        text += std::to_string(sub);
    }
    return text;
}

std::vector<unsigned char> Sid::to_bytes() const {
    std::vector<unsigned char> bytes;
    bytes.reserve(8 + 4 * sub_authorities_.size());
    bytes.push_back(1);
    bytes.push_back(static_cast<unsigned char>(sub_authorities_.size()));
    for (int shift = 40; shift >= 0; shift -= 8) {
        bytes.push_back(static_cast<unsigned char>((authority_ >> shift) & 0xFF));
    }
    for (const std::uint32_t sub : sub_authorities_) {
        for (int shift = 0; shift < 32; shift += 8) {
            bytes.push_back(static_cast<unsigned char>((sub >> shift) & 0xFF));
        }
    }
    return bytes;
}

namespace well_known {
Sid everyone() {
    return Sid(1, {0});
}
Sid local_logon() {
    return Sid(2, {0});
}
Sid creator_owner() {
    return Sid(3, {0});
}
Sid owner_rights() {
    return Sid(3, {4});
}
Sid authenticated_users() {
    return Sid(5, {11});
}
Sid this_organization() {
    return Sid(5, {15});
}
Sid local_system() {
    return Sid(5, {18});
}
Sid local_account() {
    return Sid(5, {113});
}
Sid builtin_administrators() {
    return Sid(5, {32, 544});
}
Sid builtin_users() {
    return Sid(5, {32, 545});
}
}  // namespace well_known

std::optional<std::string_view> well_known_name(const Sid& sid) {
    const auto& subs = sid.sub_authorities();
    for (const auto& known : kWellKnown) {
        if (known.authority == sid.authority() && known.count == subs.size() &&
            std::equal(subs.begin(), subs.end(), known.subs.begin())) {
            return known.name;
        }
    }
    return std::nullopt;
}

}  // namespace psguard::acl
