// Stable placeholders for everything in a support bundle that names a site: package names, file
// names, hashes, host and account names, path components; GUIDs too when asked. The same
// original always gets the same placeholder within one bundle (so a package's name in the NS
// answer and its snapshot still match), numbered in the order first seen (never a hash of the
// name, which a dictionary could reverse). Free text is scrubbed of every original seen so far:
// callers anonymise structured data (configuration, NS rows, samples) before free text.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace psguard {

class Anonymiser {
  public:
    explicit Anonymiser(bool hide_guids) : hide_guids_(hide_guids) {}

    std::string host(std::string_view original);     // "host-1"; an URL's host too
    std::string account(std::string_view original);  // "account-1"; DOMAIN\user as a whole
    std::string package(std::string_view original);  // "package-1"
    std::string file(std::string_view original);     // "file-1.exe" (a short extension kept)
    std::string hash(std::string_view original);     // "hash-1"
    // "{...}" kept, or "{00000000-0000-4000-8000-00000000000N}" with hide_guids.
    std::string guid(std::string_view original);
    // Component by component: drives, separators, GUIDs and the agent's and Windows' own folder
    // names (Package Delivery, ProgramData, ...) kept; other folders "dir-N", the last
    // component a file() when it has an extension.
    std::string path(std::string_view original);
    // "https://ns01.corp.example:8443/x" -> "https://host-1:8443".
    std::string url(std::string_view original);
    // A value of unknown meaning: numbers, booleans, dates, status words and GUIDs stay;
    // hashes and paths as above; anything else "value-N".
    std::string value(std::string_view original);
    // Free text (log messages, reasons): every original seen so far replaced, paths anonymised,
    // GUIDs hidden when asked.
    std::string text(std::string_view original);

    // By a field's name (an XML element or attribute, a JSON key, an NS column): the
    // anonymisation that fits it, e.g. "hostName" -> host, "Package Name" -> package.
    std::string field(std::string_view field_name, std::string_view original);

    // A JSON document with every string value anonymised by its key (field()), object keys that
    // are GUIDs or paths too; numbers, booleans and the other keys kept.
    nlohmann::json json(const nlohmann::json& document);

    // Every original replaced so far (for the bundle's own check that none survives).
    std::vector<std::string> originals() const;

  private:
    std::optional<std::string> known(std::string_view original) const;
    std::string placeholder(const std::string& category, std::string_view original,
                            const std::string& suffix = "");

    bool hide_guids_;
    // category -> original -> placeholder; originals compared as written.
    std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> seen_;
    std::map<std::string, std::size_t, std::less<>> counters_;
};

}  // namespace psguard
