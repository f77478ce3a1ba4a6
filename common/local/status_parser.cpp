#include "local/status_parser.hpp"

#include <pugixml.hpp>

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>

#include "core/ascii.hpp"
#include "core/display_text.hpp"
#include "platform/file_links.hpp"

namespace psguard {
namespace {

// "ns:Name" -> "Name": namespace prefixes do not matter to the tolerant matching.
std::string_view local_part(const char* qualified) {
    const std::string_view name(qualified);
    const auto colon = name.rfind(':');
    return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

bool name_is(const char* qualified, std::string_view lower) {
    const std::string_view name = local_part(qualified);
    if (name.size() != lower.size()) {
        return false;
    }
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (ascii_lower(name[i]) != lower[i]) {
            return false;
        }
    }
    return true;
}

std::size_t utf8_length(std::uint32_t code_point) {
    if (code_point < 0x80) {
        return 1;
    }
    if (code_point < 0x800) {
        return 2;
    }
    return code_point < 0x10000 ? 3 : 4;
}

// pugixml reports error offsets into its UTF-8 conversion of the input (a BOM included); map
// such an offset back to a byte offset into the input as it was on disk.
std::size_t input_offset(std::string_view bytes, pugi::xml_encoding encoding,
                         std::ptrdiff_t converted_offset) {
    if (converted_offset <= 0) {
        return 0;
    }
    const auto target = static_cast<std::size_t>(converted_offset);
    std::size_t unit = 0;
    bool big_endian = false;
    switch (encoding) {
        case pugi::encoding_utf16_le:
            unit = 2;
            break;
        case pugi::encoding_utf16_be:
            unit = 2;
            big_endian = true;
            break;
        case pugi::encoding_utf32_le:
            unit = 4;
            break;
        case pugi::encoding_utf32_be:
            unit = 4;
            big_endian = true;
            break;
        case pugi::encoding_latin1:
            unit = 1;
            break;
        default:  // UTF-8: no conversion
            return target < bytes.size() ? target : bytes.size();
    }
    const auto read_unit = [&](std::size_t at) {
        std::uint32_t value = 0;
        for (std::size_t i = 0; i < unit; ++i) {
            const auto byte =
                static_cast<unsigned char>(bytes[at + (big_endian ? i : unit - 1 - i)]);
            value = (value << 8) | byte;
        }
        return value;
    };
    std::size_t produced = 0;
    std::size_t position = 0;
    while (produced < target && position + unit <= bytes.size()) {
        std::uint32_t code_point = read_unit(position);
        std::size_t consumed = unit;
        if (unit == 2 && code_point >= 0xD800 && code_point <= 0xDBFF &&
            position + 2 * unit <= bytes.size()) {
            const std::uint32_t low = read_unit(position + unit);
            if (low >= 0xDC00 && low <= 0xDFFF) {
                code_point = 0x10000 + ((code_point - 0xD800) << 10) + (low - 0xDC00);
                consumed = 2 * unit;
            }
        }
        produced += utf8_length(code_point);
        position += consumed;
    }
    return position;
}

Status load_capped(pugi::xml_document& document, std::string_view bytes, std::uint64_t max_bytes) {
    if (bytes.size() > max_bytes) {
        return fail(over_cap_message(bytes.size(), max_bytes));
    }
    // parse_default: no DOCTYPE processing, only the five predefined entities. Every document
    // must have a root element, so an empty or truncated file fails here.
    const pugi::xml_parse_result result =
        document.load_buffer(bytes.data(), bytes.size(), pugi::parse_default, pugi::encoding_auto);
    if (!result) {
        return fail("malformed XML at offset " +
                    std::to_string(input_offset(bytes, result.encoding, result.offset)) + ": " +
                    result.description());
    }
    return {};
}

std::string describe_type(pugi::xpath_value_type type) {
    switch (type) {
        case pugi::xpath_type_string:
            return "a string";
        case pugi::xpath_type_number:
            return "a number";
        case pugi::xpath_type_boolean:
            return "a boolean";
        default:
            return "no node set";
    }
}

Result<std::unique_ptr<pugi::xpath_query>> compile(std::string_view expression) {
    const std::string text(expression);
    const std::string named = "invalid XPath '" + text + "': ";
    try {
        auto query = std::make_unique<pugi::xpath_query>(text.c_str());
        if (!*query) {  // only reached when pugixml is built without exceptions
            return fail(named + query->result().description() + " at offset " +
                        std::to_string(query->result().offset));
        }
        if (query->return_type() != pugi::xpath_type_node_set) {
            return fail(named + "it returns " + describe_type(query->return_type()) +
                        ", not nodes");
        }
        return query;
#ifndef PUGIXML_NO_EXCEPTIONS
    } catch (const pugi::xpath_exception& error) {
        return fail(named + error.result().description() + " at offset " +
                    std::to_string(error.result().offset));
#endif
    } catch (const std::exception& error) {
        return fail(named + error.what());
    }
}

}  // namespace

// An XPath of the configuration, compiled once; an invalid one keeps its error for every use.
struct CompiledQuery {
    explicit CompiledQuery(std::string_view text) : expression(text), query(compile(text)) {}
    std::string expression;
    Result<std::unique_ptr<pugi::xpath_query>> query;
};

struct DocumentParser::Queries {
    explicit Queries(const ParseConfig& config)
        : status(config.status_xpath),
          version(config.version_xpath),
          snapshot_version(config.snapshot_version_xpath),
          snapshot_file(config.snapshot_file_xpath),
          snapshot_location(config.snapshot_location_xpath),
          snapshot_custom_location(config.snapshot_custom_location_xpath) {}
    CompiledQuery status;
    CompiledQuery version;
    CompiledQuery snapshot_version;
    CompiledQuery snapshot_file;
    CompiledQuery snapshot_location;
    CompiledQuery snapshot_custom_location;
};

namespace {

Result<pugi::xpath_node_set> select(const pugi::xml_document& document,
                                    const CompiledQuery& compiled) {
    if (!compiled.query) {
        return compiled.query.error();
    }
    try {
        return compiled.query.value()->evaluate_node_set(document);
    } catch (const std::exception& error) {
        return fail("XPath '" + compiled.expression + "' failed: " + error.what());
    }
}

// XPath string(): the text of all descendants, in document order (iterative: no recursion on
// hostile nesting depth).
std::string string_value(const pugi::xml_node& node) {
    if (node.type() == pugi::node_pcdata || node.type() == pugi::node_cdata) {
        return node.value();
    }
    std::string text;
    pugi::xml_node current = node.first_child();
    while (current) {
        if (current.type() == pugi::node_pcdata || current.type() == pugi::node_cdata) {
            text += current.value();
        }
        if (current.first_child()) {
            current = current.first_child();
            continue;
        }
        while (current != node && !current.next_sibling()) {
            current = current.parent();
        }
        if (current == node) {
            break;
        }
        current = current.next_sibling();
    }
    return text;
}

std::optional<std::string> value_of(const pugi::xpath_node& selected) {
    std::string text;
    if (selected.attribute()) {
        text = selected.attribute().value();
    } else if (selected.node()) {
        text = string_value(selected.node());
    } else {
        return std::nullopt;
    }
    const std::string_view trimmed = ascii_trim(text);
    if (trimmed.empty()) {
        return std::nullopt;
    }
    return valid_utf8(trimmed);  // the file's bytes enter psguard here
}

Result<std::optional<std::string>> first_value(const pugi::xml_document& document,
                                               const CompiledQuery& expression) {
    auto nodes = select(document, expression);
    if (!nodes) {
        return nodes.error();
    }
    if (nodes->empty()) {
        return std::optional<std::string>{};
    }
    return value_of(nodes->first());  // first in document order, whatever the set's sorting
}

// A file entry's field, from an attribute or else a child element, the name in any case; valid
// UTF-8 like every value.
std::optional<std::string> field(const pugi::xml_node& entry, std::string_view lower_name) {
    for (const pugi::xml_attribute attribute : entry.attributes()) {
        if (name_is(attribute.name(), lower_name)) {
            return valid_utf8(ascii_trim(attribute.value()));
        }
    }
    for (const pugi::xml_node child : entry.children()) {
        if (child.type() == pugi::node_element && name_is(child.name(), lower_name)) {
            return valid_utf8(ascii_trim(string_value(child)));
        }
    }
    return std::nullopt;
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
    if (text.empty()) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (value > (UINT64_MAX - digit) / 10) {
            return std::nullopt;  // overflow
        }
        value = value * 10 + digit;
    }
    return value;
}

// "true"/"1"/"yes" or "false"/"0"/"no", any case; nullopt for anything else.
std::optional<bool> parse_flag(std::string_view text) {
    const std::string lower = ascii_lower(text);
    if (lower == "true" || lower == "1" || lower == "yes") {
        return true;
    }
    if (lower == "false" || lower == "0" || lower == "no") {
        return false;
    }
    return std::nullopt;
}

// Why a snapshot name cannot be a file inside the cache folder, or nullopt when it can.
std::optional<std::string> name_problem(std::string_view name) {
    if (name.size() >= 2 && is_path_separator(name[0]) && is_path_separator(name[1])) {
        return "the name is a network path, not a path inside the cache folder";
    }
    bool has_component = false;
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t end = start;
        while (end < name.size() && !is_path_separator(name[end])) {
            ++end;
        }
        const std::string_view component = name.substr(start, end - start);
        if (component == "..") {
            return "the name leaves the cache folder";
        }
        if (component.find(':') != std::string_view::npos) {
            return "the name has a drive or stream (':'), not a path inside the cache folder";
        }
        if (!component.empty() && component != ".") {
            has_component = true;
        }
        start = end + 1;
    }
    if (!has_component) {
        return "the name is empty";
    }
    return std::nullopt;
}

}  // namespace

Status validate_xpath(std::string_view expression) {
    auto query = compile(expression);
    if (!query) {
        return query.error();
    }
    return {};
}

DocumentParser::DocumentParser(const ParseConfig& config)
    : max_file_bytes_(config.max_file_bytes), queries_(std::make_unique<const Queries>(config)) {}
DocumentParser::~DocumentParser() = default;
DocumentParser::DocumentParser(DocumentParser&&) noexcept = default;
DocumentParser& DocumentParser::operator=(DocumentParser&&) noexcept = default;

Result<StatusDocument> parse_status_document(std::string_view bytes, const ParseConfig& config) {
    return DocumentParser(config).parse_status(bytes);
}

Result<SnapshotDocument> parse_snapshot_document(std::string_view bytes,
                                                 const ParseConfig& config) {
    return DocumentParser(config).parse_snapshot(bytes);
}

Result<StatusDocument> DocumentParser::parse_status(std::string_view bytes) const {
    pugi::xml_document document;
    if (auto loaded = load_capped(document, bytes, max_file_bytes_); !loaded) {
        return loaded.error();
    }
    StatusDocument parsed;
    auto status = first_value(document, queries_->status);
    if (!status) {
        return status.error();
    }
    parsed.status = std::move(status.value());
    auto version = first_value(document, queries_->version);
    if (!version) {
        return version.error();
    }
    parsed.version = std::move(version.value());
    return parsed;
}

Result<SnapshotDocument> DocumentParser::parse_snapshot(std::string_view bytes) const {
    pugi::xml_document document;
    if (auto loaded = load_capped(document, bytes, max_file_bytes_); !loaded) {
        return loaded.error();
    }
    SnapshotDocument parsed;
    auto version = first_value(document, queries_->snapshot_version);
    if (!version) {
        return version.error();
    }
    parsed.version = std::move(version.value());
    auto location = first_value(document, queries_->snapshot_location);
    if (!location) {
        return location.error();
    }
    parsed.location = std::move(location.value());
    auto custom = first_value(document, queries_->snapshot_custom_location);
    if (!custom) {
        return custom.error();
    }
    if (custom.value()) {
        parsed.custom_location = parse_flag(*custom.value());
    }

    auto entries = select(document, queries_->snapshot_file);
    if (!entries) {
        return entries.error();
    }
    // Document order, so that "the first mismatch" is stable and matches the file.
    entries->sort();
    std::size_t number = 0;
    for (const pugi::xpath_node& selected : entries.value()) {
        ++number;
        std::string entry = "file entry " + std::to_string(number);
        const pugi::xml_node element = selected.node();
        if (selected.attribute() || element.type() != pugi::node_element) {
            return fail(entry + " is not an element (check snapshot_file_xpath)");
        }
        // "name", else "path": some layouts give only the relative path ("bin\tool.exe").
        std::optional<std::string> name = field(element, "name");
        if (!name || name->empty()) {
            name = field(element, "path");
        }
        if (!name || name->empty()) {
            return fail(entry + " has no name");
        }
        entry += " (" + *name + ")";
        if (auto problem = name_problem(*name)) {
            return fail(entry + ": " + *problem);
        }
        const std::optional<std::string> size_text = field(element, "size");
        if (!size_text) {
            return fail(entry + " has no size");
        }
        const std::optional<std::uint64_t> size = parse_size(*size_text);
        if (!size) {
            return fail(entry + ": size '" + *size_text + "' is not a non-negative integer");
        }
        parsed.files.push_back(SnapshotFile{*name, *size});
    }
    return parsed;
}

Result<std::string> read_file_capped(const std::filesystem::path& path, std::uint64_t max_bytes) {
    return read_file_nofollow(path, max_bytes);
}

}  // namespace psguard
