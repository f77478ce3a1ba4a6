#include "ns/dataset_parser.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <set>

#include <pugixml.hpp>

#include "core/ascii.hpp"
#include "core/guid.hpp"

namespace psguard {
namespace {

std::string_view local_name(std::string_view qualified) {
    const auto colon = qualified.find(':');
    return colon == std::string_view::npos ? qualified : qualified.substr(colon + 1);
}

std::string_view prefix_of(std::string_view qualified) {
    const auto colon = qualified.find(':');
    return colon == std::string_view::npos ? std::string_view{} : qualified.substr(0, colon);
}

std::string trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(first, last - first + 1));
}

// The namespace URI bound to `prefix` on `node` or its ancestors.
std::string_view namespace_of(pugi::xml_node node, std::string_view prefix) {
    const std::string attribute = prefix.empty() ? "xmlns" : "xmlns:" + std::string(prefix);
    for (auto n = node; n; n = n.parent()) {
        if (auto a = n.attribute(attribute.c_str())) {
            return a.value();
        }
    }
    return {};
}

pugi::xml_node child_by_local_name(pugi::xml_node parent, std::string_view name) {
    for (auto child : parent.children()) {
        if (child.type() == pugi::node_element && local_name(child.name()) == name) {
            return child;
        }
    }
    return {};
}

void append_utf8(std::string& out, std::uint32_t code_point) {
    const auto byte = [&](std::uint32_t value) { out.push_back(static_cast<char>(value)); };
    if (code_point < 0x80) {
        byte(code_point);
    } else if (code_point < 0x800) {
        byte(0xC0 | (code_point >> 6));
        byte(0x80 | (code_point & 0x3F));
    } else if (code_point < 0x10000) {
        byte(0xE0 | (code_point >> 12));
        byte(0x80 | ((code_point >> 6) & 0x3F));
        byte(0x80 | (code_point & 0x3F));
    } else {
        byte(0xF0 | (code_point >> 18));
        byte(0x80 | ((code_point >> 12) & 0x3F));
        byte(0x80 | ((code_point >> 6) & 0x3F));
        byte(0x80 | (code_point & 0x3F));
    }
}

struct NameEscape {
    std::uint32_t code_point;
    std::size_t length;
};

// An XmlConvert escape at `i`: _xHHHH_, or _xHHHHHHHH_ for characters outside the BMP.
std::optional<NameEscape> parse_name_escape(std::string_view name, std::size_t i) {
    if (name.substr(i, 2) != "_x") {
        return std::nullopt;
    }
    for (const std::size_t digits : {std::size_t{4}, std::size_t{8}}) {
        const std::size_t end = i + 2 + digits;
        if (end >= name.size() || name[end] != '_') {
            continue;
        }
        std::uint32_t code_point = 0;
        const char* first = name.data() + i + 2;
        const auto [ptr, ec] = std::from_chars(first, first + digits, code_point, 16);
        if (ec == std::errc() && ptr == first + digits && code_point <= 0x10FFFF) {
            return NameEscape{code_point, digits + 3};
        }
    }
    return std::nullopt;
}

// The column names the schema declares for the row element, decoded.
struct SchemaInfo {
    std::string table_element;  // encoded, as rows are named
    std::set<std::string> columns;
};

Result<SchemaInfo> read_schema(pugi::xml_node root) {
    const auto schema = child_by_local_name(root, "schema");
    if (!schema) {
        return fail("no inline xs:schema: not a complete DataSet");
    }
    // schema > element(NewDataSet) > complexType > choice > element(Table) > complexType >
    // sequence > element(column)*
    const auto dataset_element = child_by_local_name(schema, "element");
    const auto choice =
        child_by_local_name(child_by_local_name(dataset_element, "complexType"), "choice");
    const auto table = child_by_local_name(choice, "element");
    if (!table || !table.attribute("name")) {
        return fail("the xs:schema declares no table");
    }
    SchemaInfo info;
    info.table_element = table.attribute("name").value();
    const auto sequence =
        child_by_local_name(child_by_local_name(table, "complexType"), "sequence");
    for (auto column : sequence.children()) {
        if (column.type() == pugi::node_element && local_name(column.name()) == "element") {
            info.columns.insert(decode_xml_name(column.attribute("name").value()));
        }
    }
    return info;
}

// The element whose children are the rows: diffgram/NewDataSet, or NewDataSet directly.
// An empty diffgram is how ASP.NET writes a DataSet with no rows.
Result<pugi::xml_node> find_row_container(pugi::xml_node root, bool& empty) {
    empty = false;
    if (const auto diffgram = child_by_local_name(root, "diffgram")) {
        for (auto child : diffgram.children()) {
            if (child.type() != pugi::node_element) {
                continue;
            }
            const auto name = local_name(child.name());
            if (name == "before" || name == "errors") {
                continue;  // change-tracking sections, not rows
            }
            return child;
        }
        empty = true;
        return pugi::xml_node{};
    }
    if (const auto dataset = child_by_local_name(root, "NewDataSet")) {
        return dataset;
    }
    return fail("no diffgr:diffgram or NewDataSet element: not a complete DataSet");
}

}  // namespace

std::string decode_xml_name(std::string_view name) {
    std::string out;
    out.reserve(name.size());
    for (std::size_t i = 0; i < name.size();) {
        if (const auto escape = parse_name_escape(name, i)) {
            append_utf8(out, escape->code_point);
            i += escape->length;
        } else {
            out.push_back(name[i]);
            ++i;
        }
    }
    return out;
}

Result<NsAnswer> parse_report_dataset(std::string_view body, const NsColumns& columns,
                                      std::string_view server_name) {
    pugi::xml_document document;
    const auto parsed =
        document.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_auto);
    if (!parsed) {
        return fail("the NS answer is not well-formed XML (at byte " +
                    std::to_string(parsed.offset) + ": " + parsed.description() + ")");
    }
    const auto root = document.document_element();
    if (local_name(root.name()) != "DataSet") {
        return fail("the NS answer's root element is <" + std::string(root.name()) +
                    ">, expected <DataSet>");
    }
    if (const auto ns = namespace_of(root, prefix_of(root.name())); ns != kAsdkNamespace) {
        return fail("the NS answer's DataSet is in namespace \"" + std::string(ns) +
                    "\", expected \"" + std::string(kAsdkNamespace) + "\"");
    }
    auto schema = read_schema(root);
    if (!schema) {
        return fail("the NS answer is unusable: " + schema.error().message);
    }
    const std::vector<std::pair<const char*, const std::string*>> mapped = {
        {"package_server", &columns.package_server},
        {"package_name", &columns.package_name},
        {"status", &columns.status},
        {"ns_version", &columns.ns_version},
        {"reported_version", &columns.reported_version},
        {"package_guid", &columns.package_guid}};
    for (const auto& [key, column] : mapped) {
        if (!schema->columns.contains(*column)) {
            return fail("the NS report has no column \"" + *column + "\" (ns.columns." + key +
                        "); check the report's SQL or the column mapping");
        }
    }

    bool empty = false;
    auto container = find_row_container(root, empty);
    if (!container) {
        return fail("the NS answer is unusable: " + container.error().message);
    }
    NsAnswer answer;
    if (empty) {
        return answer;
    }
    std::set<std::string> seen_ids;
    std::size_t row_number = 0;
    for (auto row : container->children()) {
        if (row.type() != pugi::node_element) {
            continue;
        }
        ++row_number;
        const std::string where = "row " + std::to_string(row_number);
        if (row.name() != schema->table_element) {
            return fail("the NS answer's " + where + " is <" + row.name() + ">, expected <" +
                        schema->table_element + ">");
        }
        std::map<std::string, std::string> values;
        for (auto cell : row.children()) {
            if (cell.type() == pugi::node_element) {
                values[decode_xml_name(cell.name())] = trim(cell.text().get());
            }
        }
        const auto value = [&](const std::string& column) -> std::optional<std::string> {
            const auto it = values.find(column);
            if (it == values.end()) {
                return std::nullopt;  // DBNull: ASP.NET omits the element
            }
            return it->second;
        };
        NsPackageRow parsed_row;
        const auto guid_text = value(columns.package_guid);
        if (!guid_text || guid_text->empty()) {
            return fail("the NS answer's " + where + " has no \"" + columns.package_guid + "\"");
        }
        const auto id = normalise_guid(*guid_text, true);
        if (!id) {
            return fail("the NS answer's " + where + " has an invalid package GUID \"" +
                        *guid_text + "\"");
        }
        parsed_row.id = *id;
        const auto status = value(columns.status);
        if (!status || status->empty()) {
            return fail("the NS answer's " + where + " (" + *id + ") has no \"" + columns.status +
                        "\"");
        }
        parsed_row.status = *status;
        parsed_row.server = value(columns.package_server).value_or("");
        if (!parsed_row.server.empty() && !ascii_iequals(parsed_row.server, server_name)) {
            return fail("the NS answer's " + where + " is for Package Server \"" +
                        parsed_row.server + "\", psguard asked for \"" + std::string(server_name) +
                        "\"");
        }
        parsed_row.name = value(columns.package_name).value_or("");
        parsed_row.ns_version = value(columns.ns_version);
        parsed_row.reported_version = value(columns.reported_version);
        if (!seen_ids.insert(parsed_row.id).second) {
            return fail("the NS answer lists package " + parsed_row.id +
                        " twice: the report must return one row per package");
        }
        answer.rows.push_back(std::move(parsed_row));
    }
    return answer;
}

}  // namespace psguard
