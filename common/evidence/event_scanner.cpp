#include "evidence/event_scanner.hpp"

namespace psguard {
namespace {

constexpr std::string_view kOpen = "<event";
constexpr std::string_view kClose = "</event";
constexpr std::string_view kCdata = "<![CDATA[";
constexpr std::string_view kComment = "<!--";

bool is_name_end(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '>' || c == '/';
}

// "<event" at `at` followed by the end of the name; nullopt-like: npos when the text ends first.
enum class OpenMatch { yes, no, unknown };
OpenMatch open_at(std::string_view text, std::size_t at) {
    if (text.compare(at, kOpen.size(), kOpen) != 0) {
        return OpenMatch::no;
    }
    if (at + kOpen.size() >= text.size()) {
        return OpenMatch::unknown;
    }
    return is_name_end(text[at + kOpen.size()]) ? OpenMatch::yes : OpenMatch::no;
}

// The next position of a real "<event" start at or after `from`; npos if none. `partial` is set
// to where an undecidable start begins (the text ends inside it).
std::size_t find_open(std::string_view text, std::size_t from, std::size_t& partial) {
    partial = std::string_view::npos;
    std::size_t at = from;
    while ((at = text.find('<', at)) != std::string_view::npos) {
        const std::size_t left = text.size() - at;
        if (left < kOpen.size()) {
            if (kOpen.compare(0, left, text.substr(at)) == 0) {
                partial = at;
            }
            return std::string_view::npos;
        }
        switch (open_at(text, at)) {
            case OpenMatch::yes:
                return at;
            case OpenMatch::unknown:
                partial = at;
                return std::string_view::npos;
            case OpenMatch::no:
                break;
        }
        ++at;
    }
    return std::string_view::npos;
}

enum class EndKind { complete, incomplete, interrupted };
struct ElementEnd {
    EndKind kind;
    std::size_t at;  // complete: one past '>'; interrupted: the next "<event"
};

// From the '<' of an event start: skips the start tag (quotes may hold '>', never '<'), then the
// content (CDATA and comments may hold anything) up to "</event>".
ElementEnd find_element_end(std::string_view text, std::size_t begin) {
    std::size_t at = begin + kOpen.size();
    char quote = 0;
    for (; at < text.size(); ++at) {
        const char c = text[at];
        if (c == '<') {
            // Not allowed in a start tag, quoted or not: this event was cut off.
            return {EndKind::interrupted, at};
        }
        if (quote != 0) {
            if (c == quote) {
                quote = 0;
            }
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '>') {
            break;
        }
    }
    if (at >= text.size()) {
        return {EndKind::incomplete, 0};
    }
    if (text[at - 1] == '/') {
        return {EndKind::complete, at + 1};  // <event .../>
    }
    ++at;
    while ((at = text.find('<', at)) != std::string_view::npos) {
        const std::string_view rest = text.substr(at);
        if (rest.size() < kCdata.size() && (kCdata.compare(0, rest.size(), rest) == 0 ||
                                            kClose.compare(0, rest.size(), rest) == 0)) {
            return {EndKind::incomplete, 0};
        }
        if (rest.compare(0, kCdata.size(), kCdata) == 0) {
            const std::size_t body = at + kCdata.size();
            const std::size_t close = text.find("]]>", body);
            // Every event starts on a line of its own (it may span several): a line starting
            // with "<event" inside CDATA means this event was cut off (the agent died
            // mid-write) and a new one began.
            const std::string_view inside = text.substr(
                body, close == std::string_view::npos ? std::string_view::npos : close - body);
            for (std::size_t line = inside.find("\n<event"); line != std::string_view::npos;
                 line = inside.find("\n<event", line + 1)) {
                const OpenMatch open = open_at(text, body + line + 1);
                if (open == OpenMatch::yes) {
                    return {EndKind::interrupted, body + line + 1};
                }
                if (open == OpenMatch::unknown) {
                    return {EndKind::incomplete, 0};
                }
            }
            if (close == std::string_view::npos) {
                return {EndKind::incomplete, 0};
            }
            at = close + 3;
            continue;
        }
        if (rest.compare(0, kComment.size(), kComment) == 0) {
            const std::size_t close = text.find("-->", at + kComment.size());
            if (close == std::string_view::npos) {
                return {EndKind::incomplete, 0};
            }
            at = close + 3;
            continue;
        }
        if (rest.compare(0, kClose.size(), kClose) == 0) {
            std::size_t after = at + kClose.size();
            while (after < text.size() && (text[after] == ' ' || text[after] == '\t' ||
                                           text[after] == '\r' || text[after] == '\n')) {
                ++after;
            }
            if (after >= text.size()) {
                return {EndKind::incomplete, 0};
            }
            if (text[after] == '>') {
                return {EndKind::complete, after + 1};
            }
        } else {
            const OpenMatch open = open_at(text, at);
            if (open == OpenMatch::yes) {
                return {EndKind::interrupted, at};
            }
            if (open == OpenMatch::unknown) {
                return {EndKind::incomplete, 0};
            }
        }
        ++at;
    }
    return {EndKind::incomplete, 0};
}

}  // namespace

EventScan scan_events(std::string_view text) {
    EventScan scan;
    std::size_t at = 0;
    for (;;) {
        std::size_t partial = std::string_view::npos;
        const std::size_t begin = find_open(text, at, partial);
        if (begin == std::string_view::npos) {
            // Noise up to a possible start of "<event" is settled.
            scan.settled = partial == std::string_view::npos ? text.size() : partial;
            return scan;
        }
        const ElementEnd end = find_element_end(text, begin);
        switch (end.kind) {
            case EndKind::complete:
                scan.events.push_back({begin, end.at});
                at = end.at;
                break;
            case EndKind::interrupted:
                ++scan.truncated;
                at = end.at;
                break;
            case EndKind::incomplete:
                scan.settled = begin;
                return scan;
        }
    }
}

}  // namespace psguard
