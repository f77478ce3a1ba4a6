// Finds complete `<event ...>...</event>` elements in decoded log text. The agent's log has no
// single root and its last event may be half-written, so the scanner reports only elements whose
// end it has seen and says how much of the text is settled (can be dropped); the rest is kept
// for the next read.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace psguard {

struct EventSpan {
    std::size_t begin = 0;  // at '<' of "<event"
    std::size_t end = 0;    // one past the final '>'
};

struct EventScan {
    std::vector<EventSpan> events;  // complete elements, in order
    // Everything before this offset is settled: complete events and the noise between them.
    // What follows is an unfinished event, or a tail that might become "<event".
    std::size_t settled = 0;
    // Elements cut short by the start of another one (the agent died mid-write): dropped.
    std::size_t truncated = 0;
};

// An unfinished last event stays unsettled even at the end of a file: the agent may still be
// writing it.
EventScan scan_events(std::string_view text);

}  // namespace psguard
