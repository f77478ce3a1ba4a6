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

JournalFile file_from_json(const nlohmann::json& j) {
    JournalFile file;
    file.role = j.value("role", "");
    file.original = utf8_to_path(j.value("original", ""));
    file.quarantined = utf8_to_path(j.value("quarantined", ""));
    file.sha256 = j.value("sha256", "");
    file.size = j.value("size", std::uint64_t{0});
    return file;
}

// Folds one record into the action it belongs to.
void apply(ActionSummary& action, const nlohmann::json& record) {
    const std::string event = record.value("event", "");
    if (event == "intent") {
        action.time = parse_utc(record.value("time", "")).value_or(TimePoint{});
        action.kind = record.value("kind", "files");
        action.acl_path = utf8_to_path(record.value("path", ""));
        action.account = record.value("account", "");
        action.saved_descriptor = record.value("descriptor", "");
        action.package = record.value("package", "");
        action.mode = record.value("mode", "quarantine");
        action.reason = record.value("reason", "");
        for (const auto& file : record.value("files", nlohmann::json::array())) {
            action.files.push_back(file_from_json(file));
        }
        action.result = ActionResult::in_progress;
    } else if (event == "file_moved" || event == "file_deleted") {
        action.moved_roles.push_back(record.value("role", ""));
    } else if (event == "files_done" || event == "acl_granted") {
        action.result = ActionResult::awaiting_verification;
        action.detail = record.value("detail", "");
    } else if (event == "refresh") {
        action.detail = record.value("summary", "");
    } else if (event == "verified") {
        action.result = ActionResult::verified;
        action.detail = record.value("detail", action.detail);
    } else if (event == "verify_failed") {
        action.result = ActionResult::verify_failed;
        action.detail = record.value("detail", "");
    } else if (event == "failed") {
        action.result = ActionResult::failed;
        action.detail = record.value("detail", "");
    } else if (event == "rolled_back") {
        action.result = ActionResult::rolled_back;
        action.detail = record.value("detail", "");
    } else if (event == "restored") {
        action.result = ActionResult::restored;
        action.detail = record.value("detail", "");
    }
}

// Folds records into actions, in the order the actions began; only `wanted` when given.
std::vector<ActionSummary> fold(const std::vector<nlohmann::json>& records,
                                const std::string* wanted = nullptr) {
    std::vector<ActionSummary> actions;
    std::map<std::string, std::size_t> index;
    for (const auto& record : records) {
        const std::string id = record.value("action", "");
        if (wanted != nullptr && id != *wanted) {
            continue;
        }
        auto [it, inserted] = index.emplace(id, actions.size());
        if (inserted) {
            actions.push_back(ActionSummary{});
            actions.back().id = id;
        }
        apply(actions[it->second], record);
    }
    return actions;
}

bool is_record(const nlohmann::json& record) {
    return record.is_object() && record.contains("action") && record["action"].is_string() &&
           record.contains("event") && record["event"].is_string();
}

// A journal line as a record; nullopt when it is not one.
std::optional<nlohmann::json> parse_record(const std::string& line) {
    auto record = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (record.is_discarded() || !is_record(record)) {
        return std::nullopt;
    }
    return record;
}

std::string dump_line(const nlohmann::json& record) {
    // Replace invalid UTF-8 (from a command's output, say) instead of failing to write it.
    return record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
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

const char* to_string(ActionResult result) {
    switch (result) {
        case ActionResult::in_progress:
            return "in_progress";
        case ActionResult::awaiting_verification:
            return "awaiting_verification";
        case ActionResult::verified:
            return "verified";
        case ActionResult::verify_failed:
            return "verify_failed";
        case ActionResult::failed:
            return "failed";
        case ActionResult::rolled_back:
            return "rolled_back";
        case ActionResult::restored:
            return "restored";
    }
    return "unknown";
}

bool is_finished(ActionResult result) {
    return result != ActionResult::in_progress && result != ActionResult::awaiting_verification;
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

    nlohmann::json index = nullptr;
    {
        std::ifstream in(index_file(), std::ios::binary);
        const std::string text((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
        stats_.index_bytes = text.size();
        index = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    }
    const bool index_usable =
        index.is_object() && index.value("version", 0) == kIndexVersion &&
        index["journal_bytes"].is_number_unsigned() && index["records"].is_array() &&
        std::all_of(index["records"].begin(), index["records"].end(),
                    [](const nlohmann::json& record) { return is_record(record); });
    if (index_usable) {
        // The highest sequence number ever given outlives an emptied or replaced journal.
        last_seq_ = index.value("last_seq", std::uint64_t{0});
    }
    std::error_code ec;
    if (!fs::exists(file_, ec)) {
        return {};
    }
    if (index_usable &&
        index_matches(index["journal_bytes"].get<std::uint64_t>(), index.value("end_sha256", ""))) {
        for (auto& record : index["records"]) {
            add(std::move(record));
        }
        end_sha256_ = index.value("end_sha256", "");
        complete_bytes_ = index["journal_bytes"].get<std::uint64_t>();
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
        live.insert(record["action"].get<std::string>());
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
        auto record = parse_record(line);
        if (!record) {
            return fail("the journal " + path_to_utf8(file_) + " is damaged at line " +
                        std::to_string(line_number) +
                        ": psguard will not act until it is repaired");
        }
        const std::string id = (*record)["action"].get<std::string>();
        if (!whole && !live.contains(id) && (*record)["event"] != "intent") {
            return fail("a record of action " + id + ", which is not live");
        }
        live.insert(id);
        const std::uint64_t seq = record->value("seq", std::uint64_t{0});
        last_seq_ = std::max(last_seq_, seq);
        last_line = std::move(line);
        add(std::move(*record));
    }
    if (!last_line.empty()) {
        end_sha256_ = sha256_hex(last_line);
    }
    complete_bytes_ = position;
    return {};
}

void Journal::add(nlohmann::json record) {
    ++stats_.records;
    records_.push_back(std::move(record));
}

std::vector<ActionSummary> Journal::actions() const {
    return fold(records_);
}

std::optional<ActionSummary> Journal::action(const std::string& id) const {
    auto found = fold(records_, &id);
    if (found.empty()) {
        return std::nullopt;
    }
    return std::move(found.front());
}

Result<std::vector<nlohmann::json>> Journal::read_whole_file() const {
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
    return fold(records.value());
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
        if (record["action"] == id) {
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
    notices_.push_back(
        {"journal_repaired", "the last line of " + path_to_utf8(file_) + " was torn (" +
                                 std::to_string(size - cut) + " bytes after byte " +
                                 std::to_string(cut) +
                                 ", left by a crash or a full disk during an append): cut off, "
                                 "the bytes are kept in " +
                                 path_to_utf8(side)});
    complete_bytes_ = cut;
    tail_checked_ = true;
    return {};
}

Status Journal::append(nlohmann::json record, TimePoint now) {
    const std::string what =
        record.value("event", "") + " record of action " + record.value("action", "");
    Status written = tail_checked_ ? Status{} : repair_torn_tail(now);
    record["seq"] = last_seq_ + 1;
    record["time"] = format_utc(now);
    const std::string line = dump_line(record);
    if (written) {
        written = append_durably(file_, line + "\n");
    }
    if (!written) {
        tail_checked_ = false;  // look again before the next append
        notices_.push_back({"journal_not_written",
                            "the " + what + " could not be written: " + written.error().message});
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
    std::erase_if(records_, [&](const nlohmann::json& record) {
        return ids.contains(record["action"].get_ref<const std::string&>());
    });
}

Status Journal::save_index() const {
    const nlohmann::json index = {{"version", kIndexVersion},
                                  {"journal_bytes", complete_bytes_},
                                  {"end_sha256", end_sha256_},
                                  {"last_seq", last_seq_},
                                  {"records", records_}};
    return write_atomically(index_file(), dump_line(index) + "\n");
}

std::vector<JournalNotice> Journal::take_notices() {
    return std::exchange(notices_, {});
}

nlohmann::json to_json(const JournalFile& file) {
    return {{"role", file.role},
            {"original", path_to_utf8(file.original)},
            {"quarantined", path_to_utf8(file.quarantined)},
            {"sha256", file.sha256},
            {"size", file.size}};
}

nlohmann::json to_json(const ActionSummary& action) {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& file : action.files) {
        files.push_back(to_json(file));
    }
    nlohmann::json json = {{"id", action.id},           {"time", format_utc(action.time)},
                           {"kind", action.kind},       {"package", action.package},
                           {"mode", action.mode},       {"reason", action.reason},
                           {"files", std::move(files)}, {"result", to_string(action.result)},
                           {"detail", action.detail}};
    if (action.kind == "acl") {
        json["path"] = path_to_utf8(action.acl_path);
        json["account"] = action.account;
        json["saved_descriptor"] = action.saved_descriptor;
    }
    return json;
}

}  // namespace psguard
