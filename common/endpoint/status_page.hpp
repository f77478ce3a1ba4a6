// GET / and /ui: the agent's state as one HTML page for people (an administrator in an RDP
// session), rendered from the same views as /v1/status, /v1/packages and /v1/journal. No script,
// no external resource; every text from the report is HTML-escaped; the page refreshes itself.
#pragma once

#include <string>
#include <string_view>

#include "agent/agent_snapshot.hpp"
#include "core/utc_time.hpp"

namespace psguard {

inline constexpr int kStatusPageRefreshSeconds = 30;

std::string status_page_html(const AgentSnapshot& snapshot, TimePoint now);

// The Content-Security-Policy the page is served with: nothing may load, no script may run, and
// the one inline stylesheet is allowed by its hash.
const std::string& status_page_csp();

// `text` safe inside HTML text and double-quoted attributes.
std::string html_escape(std::string_view text);

}  // namespace psguard
