// A portable model of a Windows security descriptor: SIDs, ordered ACEs, an optional DACL, and
// the file access rights with their plain-word names. The Windows adapter converts real
// descriptors into it, and the access-check algorithm (windows_access_check.hpp) runs on it, so
// the algorithm is tested on every platform with exact masks.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace psguard::acl {

using AccessMask = std::uint32_t;

// winnt.h values, spelled out so that the model does not need <windows.h>.
namespace rights {
inline constexpr AccessMask read_data = 0x00000001;         // FILE_READ_DATA / FILE_LIST_DIRECTORY
inline constexpr AccessMask write_data = 0x00000002;        // FILE_WRITE_DATA / FILE_ADD_FILE
inline constexpr AccessMask append_data = 0x00000004;       // FILE_APPEND_DATA / ADD_SUBDIRECTORY
inline constexpr AccessMask read_ea = 0x00000008;           // FILE_READ_EA
inline constexpr AccessMask write_ea = 0x00000010;          // FILE_WRITE_EA
inline constexpr AccessMask execute = 0x00000020;           // FILE_EXECUTE / FILE_TRAVERSE
inline constexpr AccessMask delete_child = 0x00000040;      // FILE_DELETE_CHILD
inline constexpr AccessMask read_attributes = 0x00000080;   // FILE_READ_ATTRIBUTES
inline constexpr AccessMask write_attributes = 0x00000100;  // FILE_WRITE_ATTRIBUTES
inline constexpr AccessMask delete_ = 0x00010000;           // DELETE
inline constexpr AccessMask read_control = 0x00020000;      // READ_CONTROL
inline constexpr AccessMask write_dac = 0x00040000;         // WRITE_DAC
inline constexpr AccessMask write_owner = 0x00080000;       // WRITE_OWNER
inline constexpr AccessMask synchronize = 0x00100000;       // SYNCHRONIZE
inline constexpr AccessMask access_system_security = 0x01000000;
inline constexpr AccessMask maximum_allowed = 0x02000000;
inline constexpr AccessMask generic_all = 0x10000000;
inline constexpr AccessMask generic_execute = 0x20000000;
inline constexpr AccessMask generic_write = 0x40000000;
inline constexpr AccessMask generic_read = 0x80000000;

// The file object's GENERIC_MAPPING (FILE_GENERIC_READ, ... FILE_ALL_ACCESS).
inline constexpr AccessMask file_generic_read =
    read_control | read_data | read_attributes | read_ea | synchronize;  // 0x120089
inline constexpr AccessMask file_generic_write = read_control | write_data | write_attributes |
                                                 write_ea | append_data | synchronize;  // 0x120116
inline constexpr AccessMask file_generic_execute =
    read_control | read_attributes | execute | synchronize;  // 0x1200A0
inline constexpr AccessMask file_all_access = 0x001F01FF;

// What psguard calls "modify": the Explorer "Modify" permission (0x1301BF) plus "delete child",
// because the contract lists "delete children" among the required rights.
inline constexpr AccessMask modify =
    file_generic_read | file_generic_write | file_generic_execute | delete_ | delete_child;
}  // namespace rights

// Generic rights replaced by the file rights they stand for; other bits are kept.
AccessMask map_generic(AccessMask mask);

// The individual rights in a fixed order, with the words shown to administrators.
struct RightName {
    AccessMask mask;
    std::string_view name;
};
inline constexpr std::array<RightName, 14> kRightNames{{
    {rights::read_data, "read data"},
    {rights::write_data, "write data"},
    {rights::append_data, "append data / add subdirectory"},
    {rights::read_ea, "read extended attributes"},
    {rights::write_ea, "write extended attributes"},
    {rights::execute, "execute / traverse"},
    {rights::delete_child, "delete child"},
    {rights::read_attributes, "read attributes"},
    {rights::write_attributes, "write attributes"},
    {rights::delete_, "delete"},
    {rights::read_control, "read permissions"},
    {rights::write_dac, "change permissions"},
    {rights::write_owner, "take ownership"},
    {rights::synchronize, "synchronize"},
}};

// The rights in `mask` (generic rights mapped first) as plain words, in kRightNames order; bits
// without a name appear once as "other rights 0x01000000".
std::vector<std::string> right_names(AccessMask mask);

// One configured name: an individual right ("write data") or a group of them ("modify",
// "full control", "read and execute", "read", "write", "create files and folders"). Case and
// surrounding blanks are ignored. nullopt for an unknown name.
std::optional<AccessMask> right_from_name(std::string_view name);

// A security identifier as a value: "S-1-5-21-1004336348-1177238915-682003330-512".
class Sid {
  public:
    Sid() = default;
    Sid(std::uint64_t authority, std::vector<std::uint32_t> sub_authorities)
        : authority_(authority), sub_authorities_(std::move(sub_authorities)) {}

    // The SDDL string form "S-1-<authority>-<sub>..."; the authority may be decimal or 0x-hex.
    static Result<Sid> parse(std::string_view text);
    // The binary form (revision 1, count, 6-byte big-endian authority, little-endian
    // sub-authorities), as a PSID points to; `size` bounds what may be read.
    static Result<Sid> from_bytes(const unsigned char* data, std::size_t size);

    std::string to_string() const;
    std::vector<unsigned char> to_bytes() const;

    std::uint64_t authority() const { return authority_; }
    const std::vector<std::uint32_t>& sub_authorities() const { return sub_authorities_; }

    friend bool operator==(const Sid&, const Sid&) = default;
    friend auto operator<=>(const Sid&, const Sid&) = default;

  private:
    std::uint64_t authority_ = 0;  // 48 bits
    std::vector<std::uint32_t> sub_authorities_;
};

// Well-known SIDs the access check and the reports need.
namespace well_known {
Sid everyone();                // S-1-1-0
Sid local_logon();             // S-1-2-0 (LOCAL)
Sid creator_owner();           // S-1-3-0, only meaningful in inheritable ACEs
Sid owner_rights();            // S-1-3-4, replaces the owner's implicit rights when present
Sid authenticated_users();     // S-1-5-11
Sid this_organization();       // S-1-5-15, domain accounts
Sid local_system();            // S-1-5-18
Sid local_account();           // S-1-5-113, local accounts
Sid builtin_administrators();  // S-1-5-32-544
Sid builtin_users();           // S-1-5-32-545
}  // namespace well_known

// "Everyone", "BUILTIN\Users", ... for the SIDs every Windows machine knows; nullopt otherwise.
std::optional<std::string_view> well_known_name(const Sid& sid);

// ACE header flags (winnt.h).
namespace ace_flags {
inline constexpr std::uint8_t object_inherit = 0x01;
inline constexpr std::uint8_t container_inherit = 0x02;
inline constexpr std::uint8_t no_propagate_inherit = 0x04;
inline constexpr std::uint8_t inherit_only = 0x08;
inline constexpr std::uint8_t inherited = 0x10;
}  // namespace ace_flags

enum class AceKind : std::uint8_t {
    allow,  // ACCESS_ALLOWED_ACE_TYPE
    deny,   // ACCESS_DENIED_ACE_TYPE
    other,  // object, callback (conditional), ... ACEs: kept in order, not evaluated
};

struct Ace {
    AceKind kind = AceKind::allow;
    Sid trustee;
    AccessMask mask = 0;
    std::uint8_t flags = 0;     // ace_flags
    std::uint8_t raw_type = 0;  // the ACE type byte, for AceKind::other in messages

    bool inherited() const { return (flags & ace_flags::inherited) != 0; }
    bool inherit_only() const { return (flags & ace_flags::inherit_only) != 0; }

    friend bool operator==(const Ace&, const Ace&) = default;
};

struct Dacl {
    std::vector<Ace> aces;
    friend bool operator==(const Dacl&, const Dacl&) = default;
};

struct SecurityDescriptor {
    std::optional<Sid> owner;
    std::optional<Sid> group;
    std::optional<Dacl> dacl;     // nullopt: no DACL at all (everyone has every right)
    bool dacl_protected = false;  // SE_DACL_PROTECTED: does not inherit from the parent

    friend bool operator==(const SecurityDescriptor&, const SecurityDescriptor&) = default;
};

}  // namespace psguard::acl
