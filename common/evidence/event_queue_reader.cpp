#include "evidence/event_queue_reader.hpp"

#include <algorithm>
#include <system_error>

#include "core/ascii.hpp"
#include "core/utf8_path.hpp"
#include "platform/file_links.hpp"

namespace psguard {
namespace fs = std::filesystem;

namespace {

constexpr std::array<QueueState, kQueueStateCount> kStates = {
    QueueState::waiting, QueueState::sent, QueueState::blocked, QueueState::disabled};

std::optional<std::chrono::system_clock::time_point> modified(const fs::path& path) {
    std::error_code ec;
    const auto time = fs::last_write_time(path, ec);
    if (ec) {
        return std::nullopt;
    }
    return std::chrono::time_point_cast<std::chrono::system_clock::duration>(
        std::chrono::file_clock::to_sys(time));
}

struct Listed {
    fs::path path;
    std::string name;
    std::optional<EntryInfo> info;
};

Result<std::vector<Listed>> list(const fs::path& dir, std::vector<std::string>& problems) {
    std::vector<Listed> entries;
    std::error_code ec;
    fs::directory_iterator it(dir, fs::directory_options::none, ec);
    for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
        Listed entry{it->path(), path_to_utf8(it->path().filename()), std::nullopt};
        auto probed = probe_entry(entry.path);
        if (!probed) {
            problems.push_back(probed.error().message);
            continue;
        }
        if (!probed.value()) {
            continue;  // gone since the listing
        }
        entry.info = *probed.value();
        entries.push_back(std::move(entry));
    }
    if (ec) {
        return fail("cannot list " + path_to_utf8(dir) + ": " + ec.message());
    }
    std::sort(entries.begin(), entries.end(),
              [](const Listed& a, const Listed& b) { return a.name < b.name; });
    return entries;
}

void count_file(QueueFolder& folder, const Listed& entry) {
    const auto parsed = classify_queue_file(entry.name);
    if (!parsed) {
        ++folder.other_files;
        return;
    }
    auto& counts = parsed->prefix == QueuePrefix::nse ? folder.counts.nse : folder.counts.pse;
    ++counts[static_cast<std::size_t>(parsed->state)];
    if (parsed->state == QueueState::waiting) {
        if (const auto time = modified(entry.path)) {
            if (!folder.oldest_waiting || *time < *folder.oldest_waiting) {
                folder.oldest_waiting = time;
            }
        }
    }
}

std::optional<std::int64_t> age_seconds(
    const std::optional<std::chrono::system_clock::time_point>& oldest,
    std::chrono::system_clock::time_point now) {
    if (!oldest) {
        return std::nullopt;
    }
    return std::max<std::int64_t>(
        0, std::chrono::duration_cast<std::chrono::seconds>(now - *oldest).count());
}

nlohmann::json optional_number(std::optional<std::int64_t> value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json states_json(const std::array<std::size_t, kQueueStateCount>& counts) {
    nlohmann::json out = nlohmann::json::object();
    for (QueueState state : kStates) {
        out[std::string(to_string(state))] = counts[static_cast<std::size_t>(state)];
    }
    return out;
}

}  // namespace

std::string_view to_string(QueueState state) {
    switch (state) {
        case QueueState::waiting:
            return "waiting";
        case QueueState::sent:
            return "sent";
        case QueueState::blocked:
            return "blocked";
        case QueueState::disabled:
            return "disabled";
    }
    return "waiting";
}

std::optional<QueueFileName> classify_queue_file(std::string_view name) {
    if (name.size() < 3) {
        return std::nullopt;
    }
    QueueFileName parsed{QueuePrefix::nse, QueueState::waiting};
    if (ascii_iequals(name.substr(0, 3), "NSE")) {
        parsed.prefix = QueuePrefix::nse;
    } else if (ascii_iequals(name.substr(0, 3), "PSE")) {
        parsed.prefix = QueuePrefix::pse;
    } else {
        return std::nullopt;
    }
    if (const auto dot = name.rfind('.'); dot != std::string_view::npos && dot >= 3) {
        const std::string_view suffix = name.substr(dot + 1);
        if (ascii_iequals(suffix, "ok")) {
            parsed.state = QueueState::sent;
        } else if (ascii_iequals(suffix, "blocked")) {
            parsed.state = QueueState::blocked;
        } else if (ascii_iequals(suffix, "disabled")) {
            parsed.state = QueueState::disabled;
        } else {
            return std::nullopt;  // ".tmp" and the like: not an event state the KB names
        }
    }
    return parsed;
}

std::size_t QueueSummary::count(QueueState state) const {
    std::size_t total = 0;
    for (const QueueFolder& folder : folders) {
        total += folder.counts.count(state);
    }
    return total;
}

std::optional<std::chrono::system_clock::time_point> QueueSummary::oldest_waiting() const {
    std::optional<std::chrono::system_clock::time_point> oldest;
    for (const QueueFolder& folder : folders) {
        if (folder.oldest_waiting && (!oldest || *folder.oldest_waiting < *oldest)) {
            oldest = folder.oldest_waiting;
        }
    }
    return oldest;
}

Result<QueueSummary> read_event_queue(const fs::path& dir,
                                      std::chrono::system_clock::time_point now) {
    QueueSummary summary;
    summary.dir = dir;
    summary.taken = now;
    auto top = probe_entry(dir);
    if (!top) {
        return top.error();
    }
    if (!top.value()) {
        return fail("the agent's event queue folder " + path_to_utf8(dir) + " does not exist");
    }
    if (top.value()->link != LinkKind::none || !top.value()->is_directory) {
        return fail("the agent's event queue folder " + path_to_utf8(dir) +
                    " is not a folder (links are not followed)");
    }
    auto entries = list(dir, summary.problems);
    if (!entries) {
        return entries.error();
    }
    QueueFolder root{"", dir, {}, std::nullopt, 0, 0};
    bool root_has_events = false;
    for (const Listed& entry : entries.value()) {
        if (entry.info->link != LinkKind::none) {
            ++root.links_skipped;
            continue;
        }
        if (entry.info->is_regular_file) {
            root_has_events = root_has_events || classify_queue_file(entry.name).has_value();
            count_file(root, entry);
            continue;
        }
        if (!entry.info->is_directory) {
            continue;
        }
        QueueFolder folder{entry.name, entry.path, {}, std::nullopt, 0, 0};
        auto inner = list(entry.path, summary.problems);
        if (!inner) {
            summary.problems.push_back(inner.error().message);
            continue;
        }
        for (const Listed& file : inner.value()) {
            if (file.info->link != LinkKind::none) {
                ++folder.links_skipped;
            } else if (file.info->is_regular_file) {
                count_file(folder, file);
            }
        }
        summary.folders.push_back(std::move(folder));
    }
    if (root_has_events || root.links_skipped > 0) {
        summary.folders.insert(summary.folders.begin(), std::move(root));
    }
    return summary;
}

nlohmann::json queue_summary_to_json(const QueueSummary& summary) {
    nlohmann::json folders = nlohmann::json::array();
    for (const QueueFolder& folder : summary.folders) {
        nlohmann::json entry = {{"ns", folder.name}, {"path", path_to_utf8(folder.path)}};
        for (QueueState state : kStates) {
            entry[std::string(to_string(state))] = folder.counts.count(state);
        }
        entry["nse"] = states_json(folder.counts.nse);
        entry["pse"] = states_json(folder.counts.pse);
        entry["oldest_waiting_seconds"] =
            optional_number(age_seconds(folder.oldest_waiting, summary.taken));
        entry["other_files"] = folder.other_files;
        entry["links_skipped"] = folder.links_skipped;
        folders.push_back(std::move(entry));
    }
    nlohmann::json out = {{"dir", path_to_utf8(summary.dir)}};
    for (QueueState state : kStates) {
        out[std::string(to_string(state))] = summary.count(state);
    }
    out["oldest_waiting_seconds"] =
        optional_number(age_seconds(summary.oldest_waiting(), summary.taken));
    out["folders"] = std::move(folders);
    out["problems"] = summary.problems;
    return out;
}

}  // namespace psguard
