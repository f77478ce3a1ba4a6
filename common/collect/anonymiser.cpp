#include "collect/anonymiser.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include "core/ascii.hpp"
#include "core/guid.hpp"
#include "evidence/log_signatures.hpp"

namespace psguard {
namespace {

// Folder and file names of Windows, the agent and psguard: kept, they say where a thing is
// without saying whose it is.
constexpr std::array<std::string_view, 52> kWellKnownNames = {"program files",
                                                              "program files (x86)",
                                                              "programdata",
                                                              "windows",
                                                              "temp",
                                                              "users",
                                                              "public",
                                                              "documents",
                                                              "public documents",
                                                              "altiris",
                                                              "altiris agent",
                                                              "symantec",
                                                              "symantec agent",
                                                              "package delivery",
                                                              "package server agent",
                                                              "packagestatus",
                                                              "package status",
                                                              "cache",
                                                              "logs",
                                                              "log",
                                                              "queue",
                                                              "software delivery",
                                                              "agents",
                                                              "smp",
                                                              "snapshots",
                                                              "eventqueue",
                                                              "psguard",
                                                              "quarantine",
                                                              "state",
                                                              "opt",
                                                              "notification",
                                                              "nsagent",
                                                              "var",
                                                              "lib",
                                                              "etc",
                                                              "tmp",
                                                              "snapshot.xml",
                                                              "packagestatus.xml",
                                                              "package.xml",
                                                              "snapdata.xml",
                                                              "log.xml",
                                                              "psguard.json",
                                                              "evidence.json",
                                                              "history.json",
                                                              "last-report.json",
                                                              "journal.jsonl",
                                                              "endpoint.token",
                                                              "psguard.log",
                                                              "agent.log",
                                                              "a.log",
                                                              "bad",
                                                              "z:"};

// Values that carry no site's name: statuses and the agent's words.
constexpr std::array<std::string_view, 22> kSafeWords = {"ready",
                                                         "invalid",
                                                         "pending",
                                                         "download pending",
                                                         "retrying download",
                                                         "not ready",
                                                         "deleted",
                                                         "waiting to retry",
                                                         "codebase enabled",
                                                         "valid",
                                                         "normal",
                                                         "high",
                                                         "low",
                                                         "none",
                                                         "null",
                                                         "true",
                                                         "false",
                                                         "yes",
                                                         "no",
                                                         "on",
                                                         "off",
                                                         "unknown"};

std::string lower_alnum(std::string_view name) {
    std::string out;
    for (const char c : name) {
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) {
            out += c;
        } else if (c >= 'A' && c <= 'Z') {
            out += ascii_lower(c);
        }
    }
    return out;
}

bool is_number(std::string_view text) {
    if (text.starts_with('-')) {
        text.remove_prefix(1);
    }
    return !text.empty() && std::all_of(text.begin(), text.end(),
                                        [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

// Dates and times as the agent, the NS and psguard write them ("2026-05-16T12:00:00Z",
// "May 16 11:51:05" has letters: kept only as a whole date below).
bool is_timestamp(std::string_view text) {
    return text.size() >= 8 && std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= '0' && c <= '9') || c == '-' || c == ':' || c == '.' || c == 'T' ||
                      c == 'Z' || c == ' ' || c == '+' || c == '/';
           });
}

bool is_hex_run(std::string_view text) {
    return text.size() >= 16 && std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
           });
}

bool is_base64_run(std::string_view text) {
    return text.size() >= 24 && std::all_of(text.begin(), text.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      c == '+' || c == '/' || c == '=';
           });
}

bool is_loopback(std::string_view host) {
    return host == "localhost" || host == "127.0.0.1" || host == "::1" || host == "[::1]";
}

bool well_known(std::string_view component) {
    const std::string lower = ascii_lower(component);
    return std::find(kWellKnownNames.begin(), kWellKnownNames.end(), lower) !=
           kWellKnownNames.end();
}

// A short alphanumeric extension ("exe", "msi"), or empty.
std::string extension_of(std::string_view name) {
    const auto dot = name.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || name.size() - dot - 1 > 5 ||
        dot + 1 == name.size()) {
        return {};
    }
    const std::string_view ext = name.substr(dot + 1);
    if (!std::all_of(ext.begin(), ext.end(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        })) {
        return {};
    }
    return "." + std::string(ext);
}

// Case-insensitive (ASCII) find.
std::size_t ifind(std::string_view haystack, std::string_view needle, std::size_t from) {
    const std::string lower_haystack = ascii_lower(haystack);
    return lower_haystack.find(ascii_lower(needle), from);
}

}  // namespace

std::string Anonymiser::placeholder(const std::string& category, std::string_view original,
                                    const std::string& suffix) {
    auto& known = seen_[category];
    if (const auto it = known.find(original); it != known.end()) {
        return it->second;
    }
    const std::string made = category + "-" + std::to_string(++counters_[category]) + suffix;
    known.emplace(std::string(original), made);
    return made;
}

std::optional<std::string> Anonymiser::known(std::string_view original) const {
    for (const auto& [category, names] : seen_) {
        if (const auto it = names.find(original); it != names.end() && category != "guid") {
            return it->second;
        }
    }
    return std::nullopt;
}

std::string Anonymiser::host(std::string_view original) {
    const std::string name(ascii_trim(original));
    if (name.empty() || is_loopback(name)) {
        return name;
    }
    const std::string made = placeholder("host", name);
    // The short name too, so that "ns01" in a message is found as "ns01.corp.example" was.
    if (const auto dot = name.find('.');
        dot != std::string::npos && dot >= 3 && !is_number(name.substr(0, dot))) {
        seen_["host"].emplace(name.substr(0, dot), made);
    }
    return made;
}

std::string Anonymiser::account(std::string_view original) {
    const std::string name(ascii_trim(original));
    if (name.empty()) {
        return name;
    }
    const std::string made = placeholder("account", name);
    // Its parts too (CORP, svc-pkg; user@domain), so that text naming one of them is scrubbed.
    const auto split = name.find_first_of("\\@");
    if (split != std::string::npos) {
        for (const std::string& part : {name.substr(0, split), name.substr(split + 1)}) {
            if (part.size() >= 3) {
                seen_["account"].emplace(part, made);
            }
        }
    }
    return made;
}

std::string Anonymiser::package(std::string_view original) {
    const std::string name(ascii_trim(original));
    return name.empty() ? name : placeholder("package", name);
}

std::string Anonymiser::file(std::string_view original) {
    const std::string name(ascii_trim(original));
    if (name.empty() || well_known(name)) {
        return name;
    }
    return placeholder("file", name, extension_of(name));
}

std::string Anonymiser::hash(std::string_view original) {
    const std::string text(ascii_trim(original));
    return text.empty() ? text : placeholder("hash", text);
}

std::string Anonymiser::guid(std::string_view original) {
    if (!hide_guids_) {
        return std::string(original);
    }
    const auto normal = normalise_guid(ascii_trim(original), true);
    const std::string key = normal.value_or(std::string(original));
    auto& known = seen_["guid"];
    if (const auto it = known.find(key); it != known.end()) {
        return it->second;
    }
    std::array<char, 64> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "{00000000-0000-4000-8000-%012zu}",
                  ++counters_["guid"]);
    known.emplace(key, buffer.data());
    known.emplace(std::string(original), buffer.data());
    return buffer.data();
}

std::string Anonymiser::path(std::string_view original) {
    // A name seen as something else (an account in a finding's "path") stays that.
    if (auto seen = known(ascii_trim(original))) {
        return *seen;
    }
    std::string out;
    std::size_t at = 0;
    // \\server\share\...: the first component is a host (but not \\?\ or \\.\).
    const bool unc = original.size() > 2 && is_path_separator(original[0]) &&
                     is_path_separator(original[1]) && original[2] != '?' && original[2] != '.';
    bool first = true;
    while (at <= original.size()) {
        std::size_t end = at;
        while (end < original.size() && !is_path_separator(original[end])) {
            ++end;
        }
        const std::string_view component = original.substr(at, end - at);
        const bool last = end >= original.size();
        if (component.empty() || component == "." || component == ".." || component == "?" ||
            (component.size() == 2 && component[1] == ':') || well_known(component) ||
            is_number(component)) {
            out += component;
        } else if (normalise_guid(component)) {
            out += guid(component);
        } else if (unc && first) {
            out += host(component);
        } else if (last && !extension_of(component).empty()) {
            out += file(component);
        } else {
            out += placeholder("dir", component);
        }
        if (!component.empty()) {
            first = false;
        }
        if (end < original.size()) {
            out += original[end];
        }
        at = end + 1;
    }
    return out;
}

std::string Anonymiser::url(std::string_view original) {
    const std::string text(ascii_trim(original));
    const auto scheme_end = text.find("://");
    if (scheme_end == std::string::npos) {
        return value(text);
    }
    const std::size_t host_begin = scheme_end + 3;
    const std::size_t host_end = text.find_first_of(":/?#", host_begin);
    std::string out =
        text.substr(0, host_begin) + host(text.substr(host_begin, host_end - host_begin));
    if (host_end != std::string::npos && text[host_end] == ':') {
        const std::size_t port_end = text.find_first_of("/?#", host_end);
        out += text.substr(host_end, port_end - host_end);
        if (port_end != std::string::npos) {
            out += path(text.substr(port_end));
        }
    } else if (host_end != std::string::npos) {
        out += path(text.substr(host_end));
    }
    return out;
}

std::string Anonymiser::value(std::string_view original) {
    const std::string text(ascii_trim(original));
    if (auto seen = known(text)) {
        return *seen;
    }
    const std::string lower = ascii_lower(text);
    if (text.empty() || is_number(text) || is_timestamp(text) || is_loopback(text) ||
        std::find(kSafeWords.begin(), kSafeWords.end(), lower) != kSafeWords.end()) {
        return text;
    }
    if (normalise_guid(text, true)) {
        return guid(text);
    }
    if (is_hex_run(text) || (is_base64_run(text) && text.find('/') == std::string::npos)) {
        return hash(text);
    }
    if (text.find("://") != std::string::npos) {
        return url(text);
    }
    if (text.find('\\') != std::string::npos || text.starts_with('/')) {
        return path(text);
    }
    return placeholder("value", text);
}

std::string Anonymiser::text(std::string_view original) {
    // Paths first, from the original text (a placeholder must not be taken for a path).
    std::vector<std::pair<std::string, bool>> pieces;  // (text, is a path already anonymised)
    std::string_view rest = original;
    while (!rest.empty()) {
        const auto found = extract_path(rest);
        const std::size_t at = found ? rest.find(*found) : std::string_view::npos;
        if (!found || found->empty() || at == std::string_view::npos) {
            pieces.emplace_back(std::string(rest), false);
            break;
        }
        pieces.emplace_back(std::string(rest.substr(0, at)), false);
        pieces.emplace_back(path(*found), true);
        rest.remove_prefix(at + found->size());
    }
    // Then every original seen so far, longest first, in any case.
    std::vector<std::pair<std::string, std::string>> replacements;
    for (const auto& [category, known] : seen_) {
        if (category == "guid" && !hide_guids_) {
            continue;
        }
        for (const auto& [from, to] : known) {
            if (from.size() >= 3 && from != to) {
                replacements.emplace_back(from, to);
            }
        }
    }
    std::sort(replacements.begin(), replacements.end(),
              [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
    std::string out;
    for (auto& [piece, is_path] : pieces) {
        if (!is_path) {
            for (const auto& [from, to] : replacements) {
                for (std::size_t at = ifind(piece, from, 0); at != std::string::npos;
                     at = ifind(piece, from, at + to.size())) {
                    piece.replace(at, from.size(), to);
                }
            }
            if (hide_guids_) {
                for (std::size_t at = 0; at + 36 <= piece.size(); ++at) {
                    const std::size_t width = piece[at] == '{' && at + 38 <= piece.size() ? 38 : 36;
                    if (normalise_guid(piece.substr(at, width), true)) {
                        const std::string hidden = guid(piece.substr(at, width));
                        piece.replace(at, width, hidden);
                        at += hidden.size() - 1;
                    }
                }
            }
        }
        out += piece;
    }
    return out;
}

std::string Anonymiser::field(std::string_view field_name, std::string_view original) {
    const std::string name = lower_alnum(field_name);
    const auto ends = [&](std::string_view suffix) { return name.ends_with(suffix); };
    // psguard's and the agent's own vocabulary: verdicts, kinds, states, component names.
    if (name == "verdict" || name == "kind" || name == "state" || name == "cause" ||
        name == "failure" || name == "result" || name == "trigger" || name == "encoding" ||
        name == "mode" || name == "healmode" || name == "scan" || name == "level" ||
        name == "type" || name == "source" || name == "module" || name == "process" ||
        name == "severity" || name == "right" || name == "rights") {
        // ... unless it names a place after all.
        if (original.find_first_of("\\/@") == std::string_view::npos) {
            return std::string(original);
        }
        return value(original);
    }
    if (name == "host" || name == "hostname" || name == "server" || name == "servername" ||
        name == "packageservername" || name == "packageserver" || name == "computer" ||
        name == "computername" || name == "machine" || name == "ns" || name == "nsname") {
        return host(original);
    }
    if (name == "account" || name == "credentialaccount" || name == "user" || name == "username" ||
        name == "domain" || name == "owner" || name == "trustee") {
        return account(original);
    }
    if (name == "name" || (ends("name") && name != "filename") || name == "packagename" ||
        name == "displayname" || name == "title") {
        return normalise_guid(ascii_trim(original), true) ? guid(original) : package(original);
    }
    if (name == "filename") {
        return path(original);
    }
    if (name.find("hash") != std::string::npos || name == "sha1" || name == "sha256" ||
        name == "md5" || name == "checksum" || name == "crc" || name == "signature" ||
        name == "sourcekey" || name == "publickey" || name == "key" || name == "fingerprint") {
        return hash(original);
    }
    if (name == "url" || name == "nsurl" || name == "codebase" || name == "uri" || name == "href") {
        return url(original);
    }
    if (name == "message" || name == "reason" || name == "detail" || name == "summary" ||
        name == "error" || name == "errortext" || name == "text" || name == "description" ||
        name == "meaning" || name == "problem" || name == "problems" || name == "note") {
        return text(original);
    }
    if (ends("dir") || ends("path") || ends("file") || ends("folder") || ends("roots") ||
        ends("root") || ends("delivery") || ends("location") || name == "where" ||
        name == "destination") {
        return path(original);
    }
    return value(original);
}

nlohmann::json Anonymiser::json(const nlohmann::json& document) {
    // (key, value) with the key that names the value; arrays pass their key on.
    const auto walk = [this](const auto& self, const std::string& key,
                             const nlohmann::json& node) -> nlohmann::json {
        if (node.is_string()) {
            return field(key, node.get<std::string>());
        }
        if (node.is_array()) {
            nlohmann::json out = nlohmann::json::array();
            for (const auto& item : node) {
                out.push_back(self(self, key, item));
            }
            return out;
        }
        if (node.is_object()) {
            nlohmann::json out = nlohmann::json::object();
            for (const auto& [name, item] : node.items()) {
                std::string out_name = name;
                if (normalise_guid(name, true)) {
                    out_name = guid(name);
                } else if (name.find('\\') != std::string::npos || name.starts_with('/')) {
                    out_name = path(name);
                }
                // "name" says little alone: package_server.name is a host.
                out[out_name] = self(self, name == "name" ? key + "." + name : name, item);
            }
            return out;
        }
        return node;
    };
    return walk(walk, "", document);
}

std::vector<std::string> Anonymiser::originals() const {
    std::vector<std::string> out;
    for (const auto& [category, known] : seen_) {
        if (category == "guid" && !hide_guids_) {
            continue;
        }
        for (const auto& [from, to] : known) {
            if (from != to) {
                out.push_back(from);
            }
        }
    }
    return out;
}

}  // namespace psguard
