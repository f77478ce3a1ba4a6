// The agent's memory of the last local scan, so that a file change re-scans the changed
// package alone and reuses every other one (a 10k-package tree is not re-read for one event).
// A full scan happens on the first use, whenever the paths or parse settings change, and when a
// root had or has a problem (missing, unreadable, a link): nothing is reused across those.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "config/config.hpp"
#include "local/local_state.hpp"

namespace psguard {

class ScanCache {
  public:
    // Scans everything and remembers it.
    const LocalScan& full(const PathsConfig& paths, const ParseConfig& parse);

    // Re-scans the named packages (normalised "{guid}" ids) in both roots, keeps the rest.
    // The roots are not listed: the folders looked at are those the last scans saw for these
    // ids, their upper- and lower-case spellings, and `folder_names` (what the watcher
    // reported, so that a new folder spelt in mixed case is found too).
    const LocalScan& refresh(const PathsConfig& paths, const ParseConfig& parse,
                             const std::set<std::string>& package_ids,
                             const std::set<std::filesystem::path>& folder_names = {});

    const LocalScan& current() const { return scan_; }
    bool last_was_full() const { return last_was_full_; }

  private:
    bool reusable(const PathsConfig& paths, const ParseConfig& parse) const;
    void learn_names(const std::filesystem::path& root);
    void remember_name(const std::string& id, const std::filesystem::path& name);

    // The folder names seen per package id, in either root (case variants included), except the
    // spellings refresh() tries anyway (the id and its upper-case form): most packages need no
    // entry here.
    std::map<std::string, std::set<std::filesystem::path>> names_;
    std::optional<PathsConfig> paths_;
    std::optional<ParseConfig> parse_;
    LocalScan scan_;
    bool last_was_full_ = true;
};

struct ChangedPackage {
    std::string id;                     // normalised "{guid}"
    std::filesystem::path folder_name;  // as spelt on disk
};

// The package a changed path belongs to, when `changed` lies in (or is) a package folder
// directly under one of the roots; nullopt for anything else (a root itself, an entry that is
// not a package), which the caller answers with a full scan.
std::optional<ChangedPackage> package_of_change(const PathsConfig& paths,
                                                const std::filesystem::path& changed);

}  // namespace psguard
