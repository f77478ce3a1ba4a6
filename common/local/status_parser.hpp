// Parsers for the Package Server's own XML files: PackageStatus.xml (status, version) and
// snapshot.xml (version, the package's file list). The schemas are not public and differ between
// ITMS versions, so which node holds what is an XPath from ParseConfig. Files may be UTF-8 or
// UTF-16 (LE/BE) with a BOM; pugixml detects the encoding. No DTD, no entity expansion.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "core/result.hpp"
#include "local/local_state.hpp"

namespace psguard {

// OK when `expression` is an XPath 1.0 expression that selects nodes; otherwise an error naming
// the expression and pugixml's reason ("invalid XPath '/a[': Unrecognized node test at offset 3").
// Expressions returning a string, number or boolean are refused: the parsers need nodes.
Status validate_xpath(std::string_view expression);

// PackageStatus.xml. Status and version come from ParseConfig::status_xpath / version_xpath:
// the first selected node in document order; an attribute gives its value, an element its text
// (all descendant text, as XPath string()), trimmed. Nothing selected, or only blanks: nullopt.
// Errors: "malformed XML at offset 123: Start-end tags mismatch" (byte offset into `bytes`;
// truncated files are malformed), an invalid XPath.
Result<StatusDocument> parse_status_document(std::string_view bytes, const ParseConfig& config);

// snapshot.xml. The version as above (snapshot_version_xpath); each node selected by
// snapshot_file_xpath is one file, which must be an element with a name and a size, each given
// as an attribute or a child element with that name in any case (name/Name/NAME, size/Size); a
// "path" field stands in for a missing name.
// The relocated-storage location and the custom-location flag come from
// snapshot_location_xpath / snapshot_custom_location_xpath (a flag other than true/false, 1/0,
// yes/no is treated as not given).
// The name is relative to the package's cache folder, '\' or '/' separated; a name that leaves
// the cache folder (a ".." component, a drive or stream ':') is an error, as is a size that is not
// a non-negative decimal integer; errors name the entry ("file entry 2 (setup.exe): ...").
Result<SnapshotDocument> parse_snapshot_document(std::string_view bytes, const ParseConfig& config);

// The two parsers above with the configuration's XPaths compiled once: compiling an XPath costs
// more than parsing a typical PackageStatus.xml, so the tree scanner makes one per scan. Same
// results and errors as the functions above (an invalid XPath fails every parse, naming it).
class DocumentParser {
  public:
    explicit DocumentParser(const ParseConfig& config);
    ~DocumentParser();
    DocumentParser(DocumentParser&&) noexcept;
    DocumentParser& operator=(DocumentParser&&) noexcept;
    DocumentParser(const DocumentParser&) = delete;
    DocumentParser& operator=(const DocumentParser&) = delete;

    Result<StatusDocument> parse_status(std::string_view bytes) const;
    Result<SnapshotDocument> parse_snapshot(std::string_view bytes) const;

    struct Queries;

  private:
    std::uint64_t max_file_bytes_;
    std::unique_ptr<const Queries> queries_;
};

// The file's bytes, refusing more than max_bytes ("file is 9437184 bytes, over the
// 8388608-byte cap"). Never follows a link (see read_file_nofollow) and never blocks the agent.
Result<std::string> read_file_capped(const std::filesystem::path& path, std::uint64_t max_bytes);

}  // namespace psguard
