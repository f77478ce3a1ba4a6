#include "acl/posix_acl_model.hpp"

namespace psguard::acl {
namespace {

bool has_gid(const PosixIdentity& who, std::uint32_t gid) {
    for (const std::uint32_t g : who.gids) {
        if (g == gid) {
            return true;
        }
    }
    return false;
}

}  // namespace

PosixAcl PosixAcl::from_mode(std::uint32_t owner_uid, std::uint32_t owner_gid, unsigned mode,
                             bool is_directory) {
    PosixAcl acl;
    acl.owner_uid = owner_uid;
    acl.owner_gid = owner_gid;
    acl.is_directory = is_directory;
    acl.entries = {
        {PosixTag::user_obj, 0, static_cast<PosixPerms>((mode >> 6) & 7u)},
        {PosixTag::group_obj, 0, static_cast<PosixPerms>((mode >> 3) & 7u)},
        {PosixTag::other, 0, static_cast<PosixPerms>(mode & 7u)},
    };
    return acl;
}

PosixCheck check_posix_access(const PosixAcl& acl, const PosixIdentity& who, PosixPerms required) {
    PosixCheck check;
    check.required = static_cast<PosixPerms>(required & posix_perm::all);
    if (who.uid == 0) {
        // CAP_DAC_OVERRIDE: read and write always; execute on folders, or on a file with any
        // execute bit.
        check.superuser = true;
        bool any_execute = acl.is_directory;
        for (const auto& entry : acl.entries) {
            any_execute = any_execute || (entry.perms & posix_perm::execute) != 0;
        }
        check.granted = static_cast<PosixPerms>(posix_perm::read | posix_perm::write |
                                                (any_execute ? posix_perm::execute : 0));
        check.missing = static_cast<PosixPerms>(check.required & ~check.granted);
        return check;
    }

    std::optional<std::size_t> mask_index;
    for (std::size_t i = 0; i < acl.entries.size(); ++i) {
        if (acl.entries[i].tag == PosixTag::mask) {
            mask_index = i;
        }
    }
    const PosixPerms mask = mask_index ? acl.entries[*mask_index].perms : posix_perm::all;

    // Records the decision of one entry (limited by the mask or not).
    const auto decide = [&](std::size_t index, bool masked) {
        const PosixEntry& entry = acl.entries[index];
        check.granted = masked ? static_cast<PosixPerms>(entry.perms & mask) : entry.perms;
        check.missing = static_cast<PosixPerms>(check.required & ~check.granted);
        if (check.missing == 0) {
            return;
        }
        // Blame the mask only when the entry itself held everything that is missing.
        if (masked && mask_index && (check.missing & ~entry.perms) == 0) {
            check.denied_by = PosixDecider{*mask_index, acl.entries[*mask_index], true};
        } else {
            check.denied_by = PosixDecider{index, entry, false};
        }
    };

    for (std::size_t i = 0; i < acl.entries.size(); ++i) {
        if (acl.entries[i].tag == PosixTag::user_obj && acl.owner_uid == who.uid) {
            decide(i, false);
            return check;
        }
    }
    for (std::size_t i = 0; i < acl.entries.size(); ++i) {
        if (acl.entries[i].tag == PosixTag::user && acl.entries[i].id == who.uid) {
            decide(i, true);
            return check;
        }
    }
    // Group class (owning group and named groups, all limited by the mask). The kernel checks
    // each operation on its own: listing asks for r, traversing for x, creating or deleting an
    // entry for w and x together. So r and x count from any matching entry, but w on a folder
    // only from an entry that also holds x. When something is missing, the matching entry that
    // covers the most of the requirement is blamed (or the mask, if it removed the rest).
    std::optional<std::size_t> best;
    int best_score = -1;
    PosixPerms group_granted = 0;
    for (std::size_t i = 0; i < acl.entries.size(); ++i) {
        const PosixEntry& entry = acl.entries[i];
        const bool matches = (entry.tag == PosixTag::group_obj && has_gid(who, acl.owner_gid)) ||
                             (entry.tag == PosixTag::group && has_gid(who, entry.id));
        if (!matches) {
            continue;
        }
        auto effective = static_cast<PosixPerms>(entry.perms & mask);
        if (acl.is_directory && (effective & posix_perm::execute) == 0) {
            effective = static_cast<PosixPerms>(effective & ~posix_perm::write);
        }
        group_granted = static_cast<PosixPerms>(group_granted | effective);
        int score = 0;
        for (PosixPerms bit = 1; bit <= 4; bit = static_cast<PosixPerms>(bit << 1)) {
            score += (check.required & effective & bit) != 0 ? 1 : 0;
        }
        if (score > best_score) {
            best = i;
            best_score = score;
        }
    }
    if (best) {
        decide(*best, true);
        check.granted = group_granted;
        check.missing = static_cast<PosixPerms>(check.required & ~group_granted);
        if (check.missing == 0) {
            check.denied_by.reset();
        }
        return check;
    }
    for (std::size_t i = 0; i < acl.entries.size(); ++i) {
        if (acl.entries[i].tag == PosixTag::other) {
            decide(i, false);
            return check;
        }
    }
    check.missing = check.required;  // no ACL_OTHER: a malformed ACL grants nothing
    return check;
}

PosixPerms posix_perms_for(AccessMask windows_rights) {
    const AccessMask mask = map_generic(windows_rights);
    PosixPerms perms = 0;
    if ((mask & (rights::read_data | rights::read_ea)) != 0) {
        perms |= posix_perm::read;
    }
    if ((mask & (rights::write_data | rights::append_data | rights::delete_child |
                 rights::write_ea | rights::write_attributes)) != 0) {
        perms |= posix_perm::write | posix_perm::execute;
    }
    if ((mask & rights::execute) != 0) {
        perms |= posix_perm::execute;
    }
    return perms;
}

std::vector<std::string> posix_perm_names(PosixPerms perms) {
    std::vector<std::string> names;
    if ((perms & posix_perm::read) != 0) {
        names.emplace_back("read");
    }
    if ((perms & posix_perm::write) != 0) {
        names.emplace_back("write");
    }
    if ((perms & posix_perm::execute) != 0) {
        names.emplace_back("execute / traverse");
    }
    return names;
}

std::string posix_perm_text(PosixPerms perms) {
    std::string text = "---";
    if ((perms & posix_perm::read) != 0) {
        text[0] = 'r';
    }
    if ((perms & posix_perm::write) != 0) {
        text[1] = 'w';
    }
    if ((perms & posix_perm::execute) != 0) {
        text[2] = 'x';
    }
    return text;
}

}  // namespace psguard::acl
