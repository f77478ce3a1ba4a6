#include "heal/journal.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <set>

#include "core/utf8_path.hpp"
#include "platform/file_ops.hpp"
#include "platform/sha256.hpp"

namespace psguard {
namespace {

namespace fs = std::filesystem;

constexpr int kIndexVersion = 1;

// journal.index.json: the live actions' records, and how much of the journal they cover.
struct Index {
    std::uint64_t journal_bytes = 0;
    std::string end_sha256;  // of the line that ends at journal_bytes
    std::uint64_t last_seq = 0;
    std::vector<JournalRecord> records;
};

std::optional<Index> parse_index(const std::string& text) try {
    const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!json.is_object() || json.value("version", 0) != kIndexVersion ||
        !json.contains("journal_bytes") || !json["journal_bytes"].is_number_unsigned() ||
        !json.contains("records") || !json["records"].is_array()) {
        return std::nullopt;
    }
    Index index;
    index.journal_bytes = json["journal_bytes"].get<std::uint64_t>();
    index.end_sha256 = json.value("end_sha256", "");
    index.last_seq = json.value("last_seq", std::uint64_t{0});
    for (const auto& entry : json["records"]) {
        auto record = record_from_json(entry);
        if (!record) {
            return std::nullopt;
        }
        index.records.push_back(std::move(record).value());
    }
    return index;
} catch (const nlohmann::json::exception&) {
    return std::nullopt;  // a damaged index: read the journal instead
}

// Where the line that ends just before `end` begins: after the last newline before `end`, or 0.
// Reads backwards in growing chunks, so the cost is one line, not the file.
std::uint64_t line_start(std::ifstream& in, std::uint64_t end, std::uint64_t& bytes_read) {
    std::uint64_t chunk = 512;
    std::uint64_t searched_from = end;
    while (searched_from > 0) {
        const std::uint64_t from = searched_from > chunk ? searched_from - chunk : 0;
        std::string buffer(searched_from - from, '\0');
        in.clear();
        in.seekg(static_cast<std::streamoff>(from));
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        bytes_read += buffer.size();
        if (const auto newline = buffer.rfind('\n'); newline != std::string::npos) {
            return from + newline + 1;
        }
        searched_from = from;
        chunk *= 2;
    }
    return 0;
}

std::string read_range(std::ifstream& in, std::uint64_t from, std::uint64_t to,
                       std::uint64_t& bytes_read) {
    std::string bytes(to - from, '\0');
    in.clear();
    in.seekg(static_cast<std::streamoff>(from));
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    bytes.resize(static_cast<std::size_t>(in.gcount()));
    bytes_read += bytes.size();
    return bytes;
}

// "2026-11-26T06:30:00Z" -> "20261126T063000Z": for names.
std::string compact_stamp(TimePoint now) {
    std::string stamp = format_utc(now);
    std::erase(stamp, '-');
    std::erase(stamp, ':');
    return stamp;
}

}  // namespace

const char* to_string(JournalNoticeKind kind) {
    switch (kind) {
        case JournalNoticeKind::repaired:
            return "journal_repaired";
        case JournalNoticeKind::not_written:
            return "journal_not_written";
    }
    return "journal_not_written";
}

Journal::Journal(fs::path file) : file_(std::move(file)) {}

fs::path Journal::index_file() const {
    return file_.parent_path() / "journal.index.json";
}

Status Journal::load() {
    records_.clear();
    last_seq_ = 0;
    end_sha256_.clear();
    complete_bytes_ = 0;
    tail_checked_ = false;
    stats_ = {};

    std::optional<Index> index;
    {
        std::ifstream in(index_file(), std::ios::binary);
        const std::string text((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
        stats_.index_bytes = text.size();
        index = parse_index(text);
    }
    if (index) {
        // The highest sequence number ever given outlives an emptied or replaced journal.
        last_seq_ = index->last_seq;
    }
    std::error_code ec;
    if (!fs::exists(file_, ec)) {
        return {};
    }
    if (index && index_matches(index->journal_bytes, index->end_sha256)) {
        for (auto& record : index->records) {
            add(std::move(record));
        }
        end_sha256_ = index->end_sha256;
        complete_bytes_ = index->journal_bytes;
        stats_.used_index = true;
        if (load_from(complete_bytes_, /*whole=*/false)) {
            return {};
        }
        // The lines after the index name an action that is no longer live (a restore of an
        // old action whose index was not saved), or are damaged: read everything.
        const std::uint64_t high_water = last_seq_;
        records_.clear();
        end_sha256_.clear();
        complete_bytes_ = 0;
        stats_.used_index = false;
        stats_.records = 0;
        last_seq_ = high_water;
    }
    return load_from(0, /*whole=*/true);
}

bool Journal::index_matches(std::uint64_t journal_bytes, const std::string& end_sha256) {
    std::error_code ec;
    const auto size = fs::file_size(file_, ec);
    if (ec || journal_bytes > size) {
        return false;  // the journal was emptied or cut since
    }
    if (journal_bytes == 0) {
        return end_sha256.empty();
    }
    // The line that ends where the index stops must be the one the index saw last.
    std::ifstream in(file_, std::ios::binary);
    const std::string last_byte =
        read_range(in, journal_bytes - 1, journal_bytes, stats_.journal_bytes);
    if (last_byte != "\n") {
        return false;
    }
    const std::uint64_t start = line_start(in, journal_bytes - 1, stats_.journal_bytes);
    const std::string line = read_range(in, start, journal_bytes - 1, stats_.journal_bytes);
    return sha256_hex(line) == end_sha256;
}

Status Journal::load_from(std::uint64_t offset, bool whole) {
    std::ifstream in(file_, std::ios::binary);
    if (!in) {
        return fail("cannot open the journal " + path_to_utf8(file_));
    }
    in.seekg(static_cast<std::streamoff>(offset));
    std::set<std::string> live;
    for (const auto& record : records_) {
        live.insert(record.action);
    }
    std::uint64_t position = offset;
    std::size_t line_number = 0;
    std::string line;
    std::string last_line;
    while (std::getline(in, line)) {
        if (in.eof()) {
            // No newline after it: a torn append (a crash or a full disk). It never took effect;
            // the first append cuts it off (repair_torn_tail).
            stats_.journal_bytes += line.size();
            break;
        }
        ++line_number;
        position += line.size() + 1;
        stats_.journal_bytes += line.size() + 1;
        if (line.empty()) {
            continue;
        }
        auto record = decode(line);
        if (!record) {
            return fail("the journal " + path_to_utf8(file_) + " is damaged at line " +
                        std::to_string(line_number) + " (" + record.error().message +
                        "): psguard will not act until it is repaired");
        }
        if (!whole && !live.contains(record->action) &&
            !std::holds_alternative<IntentEvent>(record->event)) {
            return fail("a record of action " + record->action + ", which is not live");
        }
        live.insert(record->action);
        last_seq_ = std::max(last_seq_, record->seq);
        last_line = std::move(line);
        add(std::move(record).value());
    }
    if (!last_line.empty()) {
        end_sha256_ = sha256_hex(last_line);
    }
    complete_bytes_ = position;
    return {};
}

void Journal::add(JournalRecord record) {
    ++stats_.records;
    records_.push_back(std::move(record));
}

std::vector<ActionSummary> Journal::actions() const {
    return summarize(records_);
}

std::optional<ActionSummary> Journal::action(const std::string& id) const {
    auto found = summarize(records_, &id);
    if (found.empty()) {
        return std::nullopt;
    }
    return std::move(found.front());
}

Result<std::vector<JournalRecord>> Journal::read_whole_file() const {
    Journal whole(file_);
    std::error_code ec;
    if (fs::exists(file_, ec)) {
        if (auto loaded = whole.load_from(0, /*whole=*/true); !loaded) {
            return loaded.error();
        }
    }
    return std::move(whole.records_);
}

Result<std::vector<ActionSummary>> Journal::all_actions() const {
    auto records = read_whole_file();
    if (!records) {
        return records.error();
    }
    return summarize(records.value());
}

Result<std::optional<ActionSummary>> Journal::find_action(const std::string& id) {
    if (auto live = action(id)) {
        return live;
    }
    auto records = read_whole_file();
    if (!records) {
        return records.error();
    }
    for (auto& record : records.value()) {
        if (record.action == id) {
            records_.push_back(std::move(record));
        }
    }
    return action(id);
}

Status Journal::repair_torn_tail(TimePoint now) {
    std::error_code ec;
    const auto size = fs::exists(file_, ec) ? fs::file_size(file_, ec) : 0;
    if (ec) {
        return fail("cannot read the size of the journal " + path_to_utf8(file_) + ": " +
                    ec.message());
    }
    std::uint64_t ignored = 0;
    std::ifstream in(file_, std::ios::binary);
    const std::uint64_t cut = size == 0 ? 0 : line_start(in, size, ignored);
    if (cut == size) {
        complete_bytes_ = size;
        tail_checked_ = true;
        return {};
    }
    // Keep the torn bytes before they go: they are evidence of what happened.
    const std::string torn = read_range(in, cut, size, ignored);
    in.close();
    fs::path side;
    for (int n = 1;; ++n) {
        side = file_.parent_path() / ("journal.torn-" + compact_stamp(now) +
                                      (n == 1 ? "" : "-" + std::to_string(n)) + ".bin");
        if (!fs::exists(side, ec)) {
            break;
        }
    }
    if (auto kept = write_atomically(side, torn); !kept) {
        return fail(
            "the last line of the journal " + path_to_utf8(file_) +
            " is torn, and cannot be set aside before it is cut off: " + kept.error().message);
    }
    if (auto cut_off = truncate_durably(file_, cut); !cut_off) {
        return fail("the last line of the journal " + path_to_utf8(file_) +
                    " is torn, and cannot be cut off: " + cut_off.error().message);
    }
    notices_.push_back({JournalNoticeKind::repaired,
                        "the last line of " + path_to_utf8(file_) + " was torn (" +
                            std::to_string(size - cut) + " bytes after byte " +
                            std::to_string(cut) +
                            ", left by a crash or a full disk during an append): cut off, "
                            "the bytes are kept in " +
                            path_to_utf8(side)});
    complete_bytes_ = cut;
    tail_checked_ = true;
    return {};
}

Status Journal::append(const std::string& action, JournalEvent event, TimePoint now) {
    JournalRecord record{action, last_seq_ + 1, now, std::move(event)};
    const std::string line = encode(record);
    Status written = tail_checked_ ? Status{} : repair_torn_tail(now);
    if (written) {
        written = append_durably(file_, line + "\n");
    }
    if (!written) {
        tail_checked_ = false;  // look again before the next append
        notices_.push_back({JournalNoticeKind::not_written,
                            "the " + event_name(record.event) + " record of action " + action +
                                " could not be written: " + written.error().message});
        return written;
    }
    ++last_seq_;
    end_sha256_ = sha256_hex(line);
    complete_bytes_ += line.size() + 1;
    records_.push_back(std::move(record));
    return {};
}

std::string Journal::next_action_id(const std::string& package, TimePoint now,
                                    const std::function<bool(const std::string&)>& taken) const {
    std::string short_id = package.size() > 9 ? package.substr(1, 8) : package;
    // Only letters and digits: an id names a folder in the quarantine.
    std::erase_if(short_id,
                  [](char c) { return std::isalnum(static_cast<unsigned char>(c)) == 0; });
    for (std::uint64_t seq = last_seq_ + 1;; ++seq) {
        std::string id = compact_stamp(now) + "-" + short_id + "-" + std::to_string(seq);
        if (!taken || !taken(id)) {
            return id;
        }
    }
}

void Journal::retire(const std::set<std::string>& ids) {
    std::erase_if(records_,
                  [&](const JournalRecord& record) { return ids.contains(record.action); });
}

Status Journal::save_index() const {
    nlohmann::json records = nlohmann::json::array();
    for (const auto& record : records_) {
        records.push_back(to_json(record));
    }
    const nlohmann::json index = {{"version", kIndexVersion},
                                  {"journal_bytes", complete_bytes_},
                                  {"end_sha256", end_sha256_},
                                  {"last_seq", last_seq_},
                                  {"records", std::move(records)}};
    return write_atomically(
        index_file(), index.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

std::vector<JournalNotice> Journal::take_notices() {
    return std::exchange(notices_, {});
}

}  // namespace psguard
