// The symptoms an administrator looks for in the agent's log, as one table: which messages
// matter, what each means, and which cause of the KB it points to. Extending it means adding a
// row to kSignatureRows in log_signatures.cpp, its kind to EvidenceKind (evidence_kind.hpp), and
// a row to docs/evidence.md.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "evidence/evidence_kind.hpp"

namespace psguard {

// The cause a symptom points to on its own. `by_context`: access denied points to the
// credential while reporting, to the ACL on a Package Delivery/PackageStatus path (decided in
// diagnosis.cpp, which knows the roots).
enum class CauseHint { credential, acl, by_context, none };

std::string_view to_string(CauseHint hint);

// One term of a pattern, matched case-insensitively (ASCII). A whole-token term must not touch
// a letter or digit on either side ("401" in "HTTP 401", not in "14012").
struct SignatureTerm {
    std::string text;  // lower case
    bool whole_token = false;
};

struct Signature {
    EvidenceKind kind = EvidenceKind::access_denied;  // of the evidence it finds
    // Matches when every term of at least one group occurs in the message.
    std::vector<std::vector<SignatureTerm>> any_of;
    std::string meaning;  // one sentence for the documentation and reports
    CauseHint points_to = CauseHint::none;
};

// The table, in match order: the first matching row names the kind.
std::span<const Signature> log_signatures();

// The first row whose pattern occurs in `message`; nullptr when none does.
const Signature* match_signature(std::string_view message);

// Whether an event belongs to the agent's status reporting (posting NSEs to the NS): its
// source or message names the event transport, queue or PostEvent.
bool is_reporting_context(std::string_view source, std::string_view message);

// The first package GUID in a message, braced or bare, normalised "{lower-case}".
std::optional<std::string> extract_package_guid(std::string_view message);

// The first file system path a message names: a Windows path ("d:", "C:\Program Files\...",
// "\\server\share\..."), quoted or not, or an absolute POSIX path. Spaces may belong to a path;
// it ends at a quote, a control character, "<>|*?", a colon other than the drive's, " (", " [",
// ", " or "; ", and trailing ".,;" are dropped.
std::optional<std::string> extract_path(std::string_view message);

}  // namespace psguard
