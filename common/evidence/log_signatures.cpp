#include "evidence/log_signatures.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "core/ascii.hpp"
#include "core/guid.hpp"

namespace psguard {
namespace {

// One row of the table, written compactly: in each pattern "&" joins terms that must all occur
// and a leading "#" makes a term a whole token. Patterns are case-insensitive.
struct SignatureRow {
    EvidenceKind kind;
    std::array<std::string_view, 8> patterns;  // unused slots stay empty
    std::string_view meaning;
    CauseHint points_to;
};

// Error codes appear as HRESULTs (0x8007....), as their signed decimal form (-2147024891) and
// as system text; all three are listed.
const SignatureRow kSignatureRows[] = {
    // First: a component that did not start explains everything after it (KB 158750).
    {EvidenceKind::package_server_not_started,
     {"caexnscpkgsvr::start & fail", "failed to start object altiris.aexnscpkgsvr"},
     "The agent's Package Server component did not start: IIS or its metabase (IIS 6 "
     "compatibility) is missing or broken, so the Package Server neither serves nor reports.",
     CauseHint::none},
    {EvidenceKind::trust_failure,
     {"trust relationship & fail", "#1789", "0x800706fd", "-2147023107"},
     "The domain trust failed (error 1789): the Package Server cannot authenticate its account "
     "against the domain.",
     CauseHint::credential},
    {EvidenceKind::unauthorized,
     {"#401 & http", "#401 & status", "#401 & error", "unauthorized", "unauthorised", "0x80190191"},
     "The NS refused the agent's credentials (HTTP 401) while it posted events or fetched data.",
     CauseHint::credential},
    {EvidenceKind::access_denied,
     {"0x80070005", "-2147024891", "access is denied", "access denied", "e_accessdenied"},
     "Access denied (0x80070005): the account the agent acts as may not write there; the path "
     "or the reporting context tells which cause.",
     CauseHint::by_context},
    {EvidenceKind::file_locked,
     {"0x80070020", "-2147024864", "#0x00000020", "being used by another process",
      "sharing violation"},
     "A file (often snapshot.xml) is held open by another process: antivirus or a stuck "
     "agent thread.",
     CauseHint::none},
    {EvidenceKind::path_too_long,
     {"0x800700ce", "-2147024690", "filename or extension is too long", "path too long",
      "path is too long"},
     "A package path is longer than Windows allows (254 characters for the agent).",
     CauseHint::none},
    // Before download_error: each is a download error with a known cause.
    {EvidenceKind::server_busy,
     {"server is busy & backing off", "package sources request is backing off"},
     "The NS turned the package-sources request away as busy (its concurrent package-info "
     "limit, KB 181405); the Package Server backs off and retries.",
     CauseHint::none},
    {EvidenceKind::version_older,
     {"is older than required"},
     "The package source holds an older version than the NS requires (KB 163475): a stale or "
     "locked snapshot.xml on the Package Server, or a source not yet refreshed.",
     CauseHint::none},
    {EvidenceKind::partial_data,
     {"0x000002c3", "partial data received"},
     "A transfer ended with partial data (0x000002C3): a network or IIS problem (a stopped "
     "application pool) that makes the agent retry the refresh again and again (KB 422201).",
     CauseHint::none},
    {EvidenceKind::snapshot_error,
     {"snapshot & fail", "snapshot & error", "snapshot & invalid", "snapshot & unable",
      "snapshot & cannot"},
     "The agent could not build, read or verify a package snapshot.",
     CauseHint::none},
    {EvidenceKind::download_error,
     {"download & fail", "download & error", "download & unable", "download & cannot",
      "download & abort"},
     "A package download failed.",
     CauseHint::none},
};

// Reporting context: the agent's sources and words for posting status events to the NS.
constexpr std::array<std::string_view, 4> kReportingSources = {"eventtransport", "eventqueue",
                                                               "eventsender", "postevent"};
constexpr std::array<std::string_view, 7> kReportingMessages = {
    "postevent",   "post event",    "posting event", "capture directory",
    "event queue", "sending event", "send event"};

bool is_alnum(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::vector<SignatureTerm> parse_pattern(std::string_view pattern) {
    std::vector<SignatureTerm> terms;
    while (!pattern.empty()) {
        const auto amp = pattern.find('&');
        std::string_view term = pattern.substr(0, amp);
        pattern = amp == std::string_view::npos ? std::string_view{} : pattern.substr(amp + 1);
        while (!term.empty() && term.front() == ' ') {
            term.remove_prefix(1);
        }
        while (!term.empty() && term.back() == ' ') {
            term.remove_suffix(1);
        }
        SignatureTerm parsed;
        if (!term.empty() && term.front() == '#') {
            parsed.whole_token = true;
            term.remove_prefix(1);
        }
        parsed.text = ascii_lower(term);
        if (!parsed.text.empty()) {
            terms.push_back(std::move(parsed));
        }
    }
    return terms;
}

std::vector<Signature> build_table() {
    std::vector<Signature> table;
    for (const SignatureRow& row : kSignatureRows) {
        Signature signature;
        signature.kind = row.kind;
        signature.meaning = row.meaning;
        signature.points_to = row.points_to;
        for (std::string_view pattern : row.patterns) {
            if (auto terms = parse_pattern(pattern); !terms.empty()) {
                signature.any_of.push_back(std::move(terms));
            }
        }
        table.push_back(std::move(signature));
    }
    return table;
}

bool contains_term(std::string_view lowered, const SignatureTerm& term) {
    std::size_t at = 0;
    while ((at = lowered.find(term.text, at)) != std::string_view::npos) {
        if (!term.whole_token) {
            return true;
        }
        const std::size_t end = at + term.text.size();
        const bool left_ok = at == 0 || !is_alnum(lowered[at - 1]);
        const bool right_ok = end == lowered.size() || !is_alnum(lowered[end]);
        if (left_ok && right_ok) {
            return true;
        }
        ++at;
    }
    return false;
}

bool contains_any(std::string_view lowered, std::span<const std::string_view> needles) {
    return std::any_of(needles.begin(), needles.end(), [&](std::string_view needle) {
        return lowered.find(needle) != std::string_view::npos;
    });
}

bool is_path_stop(std::string_view text, std::size_t at) {
    const char c = text[at];
    if (static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\'' || c == '<' || c == '>' ||
        c == '|' || c == '*' || c == '?' || c == ':') {
        return true;
    }
    if (at + 1 < text.size()) {
        const char next = text[at + 1];
        if (c == ' ' && (next == '(' || next == '[')) {
            return true;
        }
        if ((c == ',' || c == ';') && next == ' ') {
            return true;
        }
    }
    return false;
}

// From `begin` (the first character after a drive colon or the leading separators) to the
// first stop character; trailing spaces and ".,;" dropped.
std::size_t path_end(std::string_view text, std::size_t begin, char quote) {
    std::size_t end = begin;
    while (end < text.size() && (quote != 0 ? text[end] != quote : !is_path_stop(text, end))) {
        ++end;
    }
    while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '.' || text[end - 1] == ',' ||
                           text[end - 1] == ';')) {
        --end;
    }
    return end;
}

bool starts_token(std::string_view text, std::size_t at) {
    return at == 0 || !(is_alnum(text[at - 1]) || text[at - 1] == '\\' || text[at - 1] == '/' ||
                        text[at - 1] == ':' || text[at - 1] == '_' || text[at - 1] == '-' ||
                        text[at - 1] == '.');
}

}  // namespace

std::string_view to_string(CauseHint hint) {
    switch (hint) {
        case CauseHint::credential:
            return "credential";
        case CauseHint::acl:
            return "acl";
        case CauseHint::by_context:
            return "by context";
        case CauseHint::none:
            break;
    }
    return "none";
}

std::span<const Signature> log_signatures() {
    static const std::vector<Signature> table = build_table();  // immutable once built
    return table;
}

const Signature* match_signature(std::string_view message) {
    const std::string lowered = ascii_lower(message);
    for (const Signature& signature : log_signatures()) {
        for (const auto& group : signature.any_of) {
            if (std::all_of(group.begin(), group.end(), [&](const SignatureTerm& term) {
                    return contains_term(lowered, term);
                })) {
                return &signature;
            }
        }
    }
    return nullptr;
}

bool is_reporting_context(std::string_view source, std::string_view message) {
    return contains_any(ascii_lower(source), kReportingSources) ||
           contains_any(ascii_lower(message), kReportingMessages);
}

std::optional<std::string> extract_package_guid(std::string_view message) {
    constexpr std::size_t kBare = 36;
    for (std::size_t at = 0; at + kBare <= message.size(); ++at) {
        if (!is_hex(message[at]) ||
            (at > 0 && (is_hex(message[at - 1]) || message[at - 1] == '-'))) {
            continue;
        }
        const std::string_view candidate = message.substr(at, kBare);
        const std::size_t end = at + kBare;
        if (end < message.size() && (is_hex(message[end]) || message[end] == '-')) {
            continue;
        }
        if (auto guid = normalise_guid(candidate, /*allow_bare=*/true)) {
            return guid;
        }
    }
    return std::nullopt;
}

std::optional<std::string> extract_path(std::string_view message) {
    for (std::size_t at = 0; at < message.size(); ++at) {
        const char c = message[at];
        const char quote =
            at > 0 && (message[at - 1] == '"' || message[at - 1] == '\'') ? message[at - 1] : '\0';
        // "d:" / "C:\..." : a drive letter standing alone before its colon.
        if (((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) && at + 1 < message.size() &&
            message[at + 1] == ':' && starts_token(message, at) &&
            (at == 0 || !is_alnum(message[at - 1]))) {
            const std::size_t after = at + 2;
            if (after == message.size() || message[after] == '\\' || message[after] == '/') {
                const std::size_t end = path_end(message, after, quote);
                return std::string(message.substr(at, end - at));
            }
            if (message[after] == ' ' || message[after] == quote || message[after] == ')' ||
                message[after] == ']' || message[after] == ',' || message[after] == '.') {
                // A bare drive ("d:") names a path only where nothing else follows it.
                std::size_t rest = after;
                while (rest < message.size() &&
                       (message[rest] == ' ' || message[rest] == '.' || message[rest] == quote)) {
                    ++rest;
                }
                if (rest == message.size()) {
                    return std::string(message.substr(at, 2));
                }
            }
            continue;
        }
        // "\\server\share\..."
        if (c == '\\' && at + 2 < message.size() && message[at + 1] == '\\' &&
            is_alnum(message[at + 2]) && starts_token(message, at)) {
            const std::size_t end = path_end(message, at + 2, quote);
            return std::string(message.substr(at, end - at));
        }
        // "/opt/altiris/..." (a URL's "//" follows a colon: not a start)
        if (c == '/' && at + 1 < message.size() &&
            (is_alnum(message[at + 1]) || message[at + 1] == '.') && starts_token(message, at)) {
            const std::size_t end = path_end(message, at + 1, quote);
            return std::string(message.substr(at, end - at));
        }
    }
    return std::nullopt;
}

}  // namespace psguard
