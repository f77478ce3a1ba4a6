#include <cctype>

#include "acl/account_resolver.hpp"

namespace psguard {
namespace {

// Characters Windows refuses in user and domain names.
constexpr std::string_view kForbidden = "\"/\\[]:;|=,+*?<>";

bool is_sid_text(std::string_view text) {
    return text.size() > 2 && (text[0] == 'S' || text[0] == 's') && text[1] == '-' &&
           std::isdigit(static_cast<unsigned char>(text[2])) != 0;
}

Status check_part(std::string_view part, std::string_view what, std::string_view text) {
    if (part.empty()) {
        return fail("credential account \"" + std::string(text) + "\": the " + std::string(what) +
                    " is empty");
    }
    if (const auto bad = part.find_first_of(kForbidden); bad != std::string_view::npos) {
        return fail("credential account \"" + std::string(text) + "\": the " + std::string(what) +
                    " contains '" + std::string(1, part[bad]) + "'");
    }
    return {};
}

}  // namespace

Result<AccountName> parse_account_name(std::string_view text) {
    if (text.empty()) {
        return fail("no credential account is configured");
    }
    if (text.front() == ' ' || text.back() == ' ') {
        return fail("credential account \"" + std::string(text) +
                    "\": leading or trailing blanks are not part of an account name");
    }
    AccountName name;
    if (is_sid_text(text)) {
        auto sid = acl::Sid::parse(text);
        if (!sid) {
            return fail("credential account: " + sid.error().message);
        }
        name.form = AccountForm::sid;
        name.user = sid->to_string();
        return name;
    }
    if (const auto slash = text.find('\\'); slash != std::string_view::npos) {
        const auto domain = text.substr(0, slash);
        const auto user = text.substr(slash + 1);
        if (domain != ".") {
            if (auto ok = check_part(domain, "domain", text); !ok) {
                return ok.error();
            }
        }
        if (auto ok = check_part(user, "user name", text); !ok) {
            return ok.error();
        }
        name.form = domain == "." ? AccountForm::local_user : AccountForm::domain_user;
        name.domain = std::string(domain);
        name.user = std::string(user);
        return name;
    }
    if (const auto at = text.rfind('@'); at != std::string_view::npos) {
        const auto user = text.substr(0, at);
        const auto domain = text.substr(at + 1);
        if (auto ok = check_part(user, "user name", text); !ok) {
            return ok.error();
        }
        if (auto ok = check_part(domain, "domain", text); !ok) {
            return ok.error();
        }
        name.form = AccountForm::upn;
        name.domain = std::string(domain);
        name.user = std::string(user);
        return name;
    }
    if (auto ok = check_part(text, "user name", text); !ok) {
        return ok.error();
    }
    name.form = AccountForm::plain;
    name.user = std::string(text);
    return name;
}

}  // namespace psguard
