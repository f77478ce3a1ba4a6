#include "evidence/agent_log_reader.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <system_error>
#include <utility>

#include "core/ascii.hpp"
#include "core/display_text.hpp"
#include "core/utf8_path.hpp"
#include "evidence/event_scanner.hpp"
#include "platform/file_links.hpp"

namespace psguard {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kFingerprintBytes = 256;
constexpr std::size_t kMinBufferBytes = 4096;
constexpr std::size_t kStagingBytes = 64 * 1024;  // raw UTF-16 bytes decoded at a time

bool all_digits(std::string_view text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "agent.log", "agent1.log", "agent_1.log", "a.log.1": the current log and its rotated siblings.
bool is_log_name(std::string_view name) {
    const std::string low = ascii_lower(name);
    if (low.size() > 4 && low.ends_with(".log")) {
        return true;
    }
    const auto dot = low.rfind('.');
    return dot != std::string::npos && all_digits(std::string_view(low).substr(dot + 1)) &&
           std::string_view(low).substr(0, dot).ends_with(".log") && dot > 4;
}

// The rotation number a name carries (0 for none): a higher one is older, so it is read first
// when modification times tie.
unsigned rotation_rank(std::string_view name) {
    std::string_view stem = name;
    if (const auto dot = stem.rfind('.'); dot != std::string_view::npos) {
        if (all_digits(stem.substr(dot + 1))) {
            stem = stem.substr(dot + 1);
        } else {
            stem = stem.substr(0, dot);
        }
    }
    std::size_t digits = 0;
    while (digits < stem.size() && digits < 6 && stem[stem.size() - 1 - digits] >= '0' &&
           stem[stem.size() - 1 - digits] <= '9') {
        ++digits;
    }
    unsigned rank = 0;
    for (const char c : stem.substr(stem.size() - digits)) {
        rank = rank * 10 + static_cast<unsigned>(c - '0');
    }
    return rank;
}

std::uint64_t fnv1a(std::string_view bytes) {
    std::uint64_t hash = 0xcbf29ce484222325ull;
    for (const char c : bytes) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3ull;
    }
    return hash;
}

bool parse_event(pugi::xml_document& document, std::string_view text, LogEvent& event) {
    // parse_fragment: an element with the text around it, no root or declaration required.
    const pugi::xml_parse_result result = document.load_buffer(
        text.data(), text.size(), pugi::parse_default | pugi::parse_fragment, pugi::encoding_utf8);
    if (!result) {
        return false;
    }
    const pugi::xml_node node = document.child("event");
    if (!node) {
        return false;
    }
    const std::pair<const char*, std::string*> fields[] = {
        {"date", &event.date},     {"severity", &event.severity}, {"hostName", &event.host_name},
        {"source", &event.source}, {"module", &event.module},     {"process", &event.process},
        {"pid", &event.pid},       {"thread", &event.thread},     {"tickCount", &event.tick_count},
    };
    // The agent's bytes enter psguard here: every field valid UTF-8.
    for (const auto& [name, field] : fields) {
        *field = valid_utf8(node.attribute(name).as_string());
    }
    std::string message;
    for (const pugi::xml_node child : node.children()) {
        if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
            message += child.value();
        }
    }
    event.message = valid_utf8(ascii_trim(message));
    return true;
}

struct LogEntry {
    fs::path path;
    std::string name;
    fs::file_time_type modified;
    unsigned rank;
};

// The log files of `dir`, oldest first (so that a rotated sibling's tail comes before the
// current file's start), at most `max_files` of the newest.
Result<std::vector<LogEntry>> list_log_files(const fs::path& dir, std::size_t max_files) {
    std::vector<LogEntry> entries;
    std::error_code ec;
    fs::directory_iterator it(dir, fs::directory_options::none, ec);
    for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
        const std::string name = path_to_utf8(it->path().filename());
        if (!is_log_name(name)) {
            continue;
        }
        // Links are never followed: the log folder is the agent's, not an attacker's map.
        auto probed = probe_entry(it->path());
        if (!probed || !probed.value() || probed.value()->link != LinkKind::none ||
            !probed.value()->is_regular_file) {
            continue;
        }
        std::error_code time_ec;
        const auto modified = it->last_write_time(time_ec);
        entries.push_back(
            {it->path(), name, time_ec ? fs::file_time_type{} : modified, rotation_rank(name)});
    }
    if (ec) {
        return fail("cannot list the agent log folder " + path_to_utf8(dir) + ": " + ec.message());
    }
    std::sort(entries.begin(), entries.end(), [](const LogEntry& a, const LogEntry& b) {
        if (a.modified != b.modified) {
            return a.modified < b.modified;
        }
        if (a.rank != b.rank) {
            return a.rank > b.rank;
        }
        return a.name < b.name;
    });
    if (entries.size() > max_files) {
        entries.erase(entries.begin(),
                      entries.begin() + static_cast<std::ptrdiff_t>(entries.size() - max_files));
    }
    return entries;
}

// One log file during a cycle: open from the match to the end of its read.
struct OpenLog {
    fs::path path;
    std::string name;
    SharedFile file;
    std::uint64_t size = 0;
    std::string head;  // the first bytes, for the fingerprint and the encoding
    LogCursor cursor;  // the new cursor, filled in by the match
};

Result<OpenLog> open_log(LogEntry entry) {
    auto opened = SharedFile::open(entry.path);
    if (!opened) {
        return opened.error();
    }
    auto size = opened->size();
    if (!size) {
        return size.error();
    }
    std::string head(static_cast<std::size_t>(std::min<std::uint64_t>(*size, kFingerprintBytes)),
                     '\0');
    auto got = opened->read_at(0, head.data(), head.size());
    if (!got) {
        return got.error();
    }
    head.resize(got.value());
    return OpenLog{std::move(entry.path), std::move(entry.name), std::move(opened).value(),
                   size.value(),          std::move(head),       LogCursor{}};
}

// Whether `log` holds what `cursor` had read: at least as long, and the same first bytes.
bool continues(const OpenLog& log, const LogCursor& cursor) {
    return log.size >= cursor.offset && log.head.size() >= cursor.fingerprint_bytes &&
           fnv1a(std::string_view(log.head).substr(0, cursor.fingerprint_bytes)) ==
               cursor.fingerprint;
}

// The cursor each file continues, if any: identity first (a renamed file keeps it), then the
// fingerprint (a copied file keeps that; also the way when the platform gives no identity).
std::vector<std::optional<std::size_t>> match_cursors(const std::vector<OpenLog>& logs,
                                                      const std::vector<LogCursor>& cursors,
                                                      LogReadStats& stats) {
    std::vector<bool> claimed(cursors.size(), false);
    std::vector<std::optional<std::size_t>> match(logs.size());
    std::vector<bool> decided(logs.size(), false);
    for (std::size_t i = 0; i < logs.size(); ++i) {
        if (!logs[i].file.identity().known()) {
            continue;
        }
        for (std::size_t c = 0; c < cursors.size(); ++c) {
            if (claimed[c] || cursors[c].identity != logs[i].file.identity()) {
                continue;
            }
            decided[i] = true;
            if (continues(logs[i], cursors[c])) {
                claimed[c] = true;
                match[i] = c;
            } else {
                ++stats.restarted;  // truncated or rewritten in place
            }
            break;
        }
    }
    for (std::size_t i = 0; i < logs.size(); ++i) {
        if (decided[i]) {
            continue;
        }
        std::optional<std::size_t> best;
        for (std::size_t c = 0; c < cursors.size(); ++c) {
            if (!claimed[c] && continues(logs[i], cursors[c]) &&
                (!best || cursors[c].file == logs[i].name)) {
                best = c;
            }
        }
        if (best) {
            claimed[*best] = true;
            match[i] = best;
            if (cursors[*best].file != logs[i].name || cursors[*best].identity.known()) {
                ++stats.followed;
            }
        }
    }
    return match;
}

struct ReadLimits {
    std::size_t buffer_bytes;
    std::uint64_t& budget;     // bytes this cycle may still read
    std::size_t& peak_buffer;  // the most file data held at once
};

// Reads `log` from its cursor up to its size at open (or the budget), hands complete events to
// `sink` and leaves the cursor at the first byte not settled.
void read_log(OpenLog& log, ReadLimits limits, const AgentLogReader::EventSink& sink,
              LogReadStats& stats) {
    LogCursor& cursor = log.cursor;
    if (cursor.offset == 0 || cursor.encoding == LogEncoding::unknown) {
        const DetectedEncoding detected = detect_log_encoding(log.head);
        if (detected.encoding == LogEncoding::unknown) {
            cursor = LogCursor{log.name, log.file.identity(), 0, 0, 0, 0, LogEncoding::unknown};
            return;  // too short to tell yet
        }
        cursor.encoding = detected.encoding;
        cursor.offset = std::max<std::uint64_t>(cursor.offset, detected.bom_bytes);
    }
    const LogEncoding encoding = cursor.encoding;
    const bool utf16 = encoding == LogEncoding::utf16le || encoding == LogEncoding::utf16be;
    // UTF-8 is read straight into the text buffer; UTF-16 goes through a small staging buffer.
    const std::size_t staging = utf16 ? std::min(kStagingBytes, limits.buffer_bytes / 4) : 0;
    const std::size_t text_cap = limits.buffer_bytes - staging;

    std::string text;        // decoded, unsettled text starting at file offset `origin`
    text.reserve(text_cap);  // never grown past: the memory bound
    std::string raw;
    raw.reserve(staging);
    std::uint64_t origin = cursor.offset;
    std::uint64_t next_read = cursor.offset;
    pugi::xml_document document;
    LogEvent event;
    event.file = log.path;

    while (limits.budget > 0 && next_read < log.size) {
        const std::size_t room = text_cap - text.size();
        std::uint64_t want = std::min<std::uint64_t>(log.size - next_read, limits.budget);
        want = std::min<std::uint64_t>(
            want, utf16 ? log_input_for_room(encoding, std::min(room, staging * 3 / 2)) : room);
        if (want == 0) {
            break;
        }
        std::size_t got = 0;
        std::size_t used = 0;
        if (utf16) {
            raw.resize(static_cast<std::size_t>(want));
            auto read = log.file.read_at(next_read, raw.data(), raw.size());
            if (!read) {
                stats.problems.push_back(log.name + ": " + read.error().message);
                break;
            }
            got = read.value();
            used = decode_log_text(encoding, std::string_view(raw.data(), got), text);
        } else {
            const std::size_t before = text.size();
            text.resize(before + static_cast<std::size_t>(want));  // within the reserved cap
            auto read =
                log.file.read_at(next_read, text.data() + before, static_cast<std::size_t>(want));
            if (!read) {
                text.resize(before);
                stats.problems.push_back(log.name + ": " + read.error().message);
                break;
            }
            got = read.value();
            text.resize(before + got);
            used = got;
        }
        limits.peak_buffer = std::max(limits.peak_buffer, text.size() + staging);
        limits.budget -= std::min<std::uint64_t>(limits.budget, got);
        stats.bytes_read += got;
        next_read += used;
        if (got == 0) {
            break;  // the file shrank while being read
        }

        const EventScan scan = scan_events(text);
        stats.truncated += scan.truncated;
        std::size_t mapped = 0;  // text[0, mapped) is accounted for in `mapped_origin`
        std::uint64_t mapped_origin = origin;
        for (const EventSpan& span : scan.events) {
            mapped_origin += log_source_bytes(
                encoding, std::string_view(text).substr(mapped, span.begin - mapped));
            mapped = span.begin;
            if (parse_event(document,
                            std::string_view(text).substr(span.begin, span.end - span.begin),
                            event)) {
                event.offset = mapped_origin;
                ++stats.events;
                sink(event);
            } else {
                ++stats.malformed;
            }
        }
        origin = mapped_origin + log_source_bytes(encoding, std::string_view(text).substr(
                                                                mapped, scan.settled - mapped));
        text.erase(0, scan.settled);

        if (text.size() > text_cap / 2) {
            // An unfinished event this large will not fit: skip to the next event start.
            ++stats.oversized;
            const EventScan rest = scan_events(std::string_view(text).substr(1));
            std::size_t drop = text.size();
            if (!rest.events.empty()) {
                drop = 1 + rest.events.front().begin;
            } else if (rest.settled + 1 < text.size()) {
                drop = 1 + rest.settled;
            }
            origin += log_source_bytes(encoding, std::string_view(text).substr(0, drop));
            text.erase(0, drop);
        }
        if (used == 0) {
            break;  // a half-written UTF-16 unit or surrogate pair ends the file for now
        }
    }
    cursor.offset = origin;
}

}  // namespace

AgentLogReader::AgentLogReader(LogReadOptions options, std::vector<LogCursor> cursors)
    : options_(options), cursors_(std::move(cursors)) {
    options_.buffer_bytes = std::max(options_.buffer_bytes, kMinBufferBytes);
    options_.max_read_per_cycle_bytes =
        std::max<std::uint64_t>(options_.max_read_per_cycle_bytes, options_.buffer_bytes);
    options_.max_files = std::max<std::size_t>(options_.max_files, 1);
}

Result<LogReadStats> AgentLogReader::read_new(const fs::path& log_dir, const EventSink& sink) {
    auto entries = list_log_files(log_dir, options_.max_files);
    if (!entries) {
        return entries.error();
    }
    LogReadStats stats;
    stats.files = entries->size();
    std::vector<OpenLog> logs;
    std::vector<LogCursor> next;  // files that cannot be opened now keep their cursor
    for (LogEntry& entry : entries.value()) {
        const std::string name = entry.name;
        auto opened = open_log(std::move(entry));
        if (!opened) {
            stats.problems.push_back(name + ": " + opened.error().message);
            for (const LogCursor& cursor : cursors_) {
                if (cursor.file == name) {
                    next.push_back(cursor);
                }
            }
            continue;
        }
        logs.push_back(std::move(opened).value());
    }

    const auto match = match_cursors(logs, cursors_, stats);
    std::uint64_t budget = options_.max_read_per_cycle_bytes;
    for (std::size_t i = 0; i < logs.size(); ++i) {
        OpenLog& log = logs[i];
        if (match[i]) {
            log.cursor = cursors_[*match[i]];
        }
        log.cursor.file = log.name;
        log.cursor.identity = log.file.identity();
        if (budget > 0) {
            read_log(log, {options_.buffer_bytes, budget, peak_buffer_bytes_}, sink, stats);
        }
        if (log.cursor.offset < log.size && budget == 0) {
            stats.budget_exhausted = true;
        }
        // The fingerprint grows with the file up to kFingerprintBytes.
        if (log.cursor.fingerprint_bytes < log.head.size()) {
            log.cursor.fingerprint_bytes = static_cast<std::uint32_t>(log.head.size());
            log.cursor.fingerprint = fnv1a(log.head);
        }
        log.cursor.size = log.size;
        next.push_back(std::move(log.cursor));
    }
    cursors_ = std::move(next);
    return stats;
}

nlohmann::json log_cursors_to_json(const std::vector<LogCursor>& cursors) {
    nlohmann::json files = nlohmann::json::array();
    for (const LogCursor& cursor : cursors) {
        char fingerprint[17];
        std::snprintf(fingerprint, sizeof fingerprint, "%016llx",
                      static_cast<unsigned long long>(cursor.fingerprint));
        files.push_back({{"file", cursor.file},
                         {"device", cursor.identity.device},
                         {"index", cursor.identity.index},
                         {"offset", cursor.offset},
                         {"size", cursor.size},
                         {"fingerprint_bytes", cursor.fingerprint_bytes},
                         {"fingerprint", fingerprint},
                         {"encoding", std::string(to_string(cursor.encoding))}});
    }
    return {{"version", 1}, {"files", std::move(files)}};
}

Result<std::vector<LogCursor>> log_cursors_from_json(const nlohmann::json& json) {
    if (!json.is_object() || !json.contains("files") || !json.at("files").is_array()) {
        return fail("log cursors: expected an object with a \"files\" array");
    }
    if (!json.contains("version") || json.at("version") != 1) {
        return fail("log cursors: unsupported version (expected 1)");
    }
    std::vector<LogCursor> cursors;
    std::size_t index = 0;
    for (const nlohmann::json& item : json.at("files")) {
        const std::string where = "log cursors: files[" + std::to_string(index++) + "]";
        if (!item.is_object()) {
            return fail(where + ": expected an object");
        }
        const auto number = [&](const char* key, std::uint64_t& out) -> Status {
            if (!item.contains(key) || !item.at(key).is_number_unsigned()) {
                return fail(where + "." + key + ": expected an unsigned integer");
            }
            out = item.at(key).get<std::uint64_t>();
            return {};
        };
        LogCursor cursor;
        std::uint64_t fingerprint_bytes = 0;
        for (auto [key, out] :
             {std::pair{"device", &cursor.identity.device},
              std::pair{"index", &cursor.identity.index}, std::pair{"offset", &cursor.offset},
              std::pair{"size", &cursor.size},
              std::pair{"fingerprint_bytes", &fingerprint_bytes}}) {
            if (Status status = number(key, *out); !status) {
                return status.error();
            }
        }
        if (fingerprint_bytes > kFingerprintBytes) {
            return fail(where + ".fingerprint_bytes: over " + std::to_string(kFingerprintBytes));
        }
        cursor.fingerprint_bytes = static_cast<std::uint32_t>(fingerprint_bytes);
        if (!item.contains("file") || !item.at("file").is_string()) {
            return fail(where + ".file: expected a string");
        }
        cursor.file = item.at("file").get<std::string>();
        const auto text = [&](const char* key) -> std::optional<std::string> {
            if (!item.contains(key) || !item.at(key).is_string()) {
                return std::nullopt;
            }
            return item.at(key).get<std::string>();
        };
        const auto fingerprint = text("fingerprint");
        if (!fingerprint || fingerprint->size() != 16 ||
            fingerprint->find_first_not_of("0123456789abcdef") != std::string::npos) {
            return fail(where + ".fingerprint: expected 16 lower-case hex digits");
        }
        cursor.fingerprint = std::stoull(*fingerprint, nullptr, 16);
        const auto encoding_name = text("encoding");
        const auto encoding =
            encoding_name ? log_encoding_from_string(*encoding_name) : std::nullopt;
        if (!encoding) {
            return fail(where + ".encoding: expected utf-8, utf-16le, utf-16be or unknown");
        }
        cursor.encoding = *encoding;
        cursors.push_back(std::move(cursor));
    }
    return cursors;
}

}  // namespace psguard
