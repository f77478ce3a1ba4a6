#include "ns/dataset_parser.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <set>

#include <pugixml.hpp>

#include "core/ascii.hpp"
#include "core/display_text.hpp"
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

void append_code_point(std::string& out, std::uint32_t code_point) {
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

constexpr std::string_view kXmlSchemaNamespace = "http://www.w3.org/2001/XMLSchema";
constexpr std::string_view kMsDataNamespace = "urn:schemas-microsoft-com:xml-msdata";
constexpr std::string_view kDiffgramNamespace = "urn:schemas-microsoft-com:xml-diffgram-v1";
constexpr std::string_view kSoap11Namespace = "http://schemas.xmlsoap.org/soap/envelope/";
constexpr std::string_view kSoap12Namespace = "http://www.w3.org/2003/05/soap-envelope";

std::string_view namespace_of_element(pugi::xml_node element) {
    return namespace_of(element, prefix_of(element.name()));
}

bool is_element(pugi::xml_node node, std::string_view name, std::string_view ns) {
    return node.type() == pugi::node_element && local_name(node.name()) == name &&
           namespace_of_element(node) == ns;
}

pugi::xml_node child_element(pugi::xml_node parent, std::string_view name, std::string_view ns) {
    for (auto child : parent.children()) {
        if (is_element(child, name, ns)) {
            return child;
        }
    }
    return {};
}

pugi::xml_node first_element_child(pugi::xml_node parent) {
    for (auto child : parent.children()) {
        if (child.type() == pugi::node_element) {
            return child;
        }
    }
    return {};
}

// The value of an attribute given by namespace and local name (prefixes vary).
std::string_view attribute_in(pugi::xml_node element, std::string_view name, std::string_view ns) {
    for (auto attribute : element.attributes()) {
        const std::string_view qualified = attribute.name();
        const auto prefix = prefix_of(qualified);
        if (!prefix.empty() && local_name(qualified) == name &&
            namespace_of(element, prefix) == ns) {
            return attribute.value();
        }
    }
    return {};
}

// A short, single-line excerpt of text for messages that say what arrived, valid UTF-8.
std::string excerpt(std::string_view text, std::size_t limit = 160) {
    std::string out;
    bool blank = false;
    for (const char c : text) {
        const bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
        if (space) {
            blank = !out.empty();
            continue;
        }
        if (blank) {
            out.push_back(' ');
            blank = false;
        }
        if (out.size() >= limit) {
            out += "...";
            break;
        }
        out.push_back(static_cast<unsigned char>(c) < 0x20 ? ' ' : c);
    }
    return valid_utf8(out);  // whatever arrived, and wherever the cut fell
}

// One table the inline schema declares: its (encoded) row element name and its decoded columns.
struct TableSchema {
    std::string row_element;
    std::set<std::string> columns;
};

struct DataSetSchema {
    std::string dataset_element;  // the DataSet's own element name, usually NewDataSet
    std::vector<TableSchema> tables;
};

// schema > element(msdata:IsDataSet) > complexType > choice > element(table)* > complexType >
// sequence > element(column)*
Result<DataSetSchema> read_schema(pugi::xml_node schema) {
    pugi::xml_node dataset_element;
    for (auto element : schema.children()) {
        if (!is_element(element, "element", kXmlSchemaNamespace)) {
            continue;
        }
        if (!dataset_element ||
            ascii_iequals(attribute_in(element, "IsDataSet", kMsDataNamespace), "true")) {
            dataset_element = element;
        }
    }
    if (!dataset_element || !dataset_element.attribute("name")) {
        return fail("the inline xs:schema declares no DataSet element");
    }
    DataSetSchema info;
    info.dataset_element = dataset_element.attribute("name").value();
    const auto choice =
        child_by_local_name(child_by_local_name(dataset_element, "complexType"), "choice");
    for (auto table : choice.children()) {
        if (!is_element(table, "element", kXmlSchemaNamespace) || !table.attribute("name")) {
            continue;
        }
        TableSchema declared;
        declared.row_element = table.attribute("name").value();
        const auto sequence =
            child_by_local_name(child_by_local_name(table, "complexType"), "sequence");
        for (auto column : sequence.children()) {
            if (is_element(column, "element", kXmlSchemaNamespace)) {
                declared.columns.insert(decode_xml_name(column.attribute("name").value()));
            }
        }
        info.tables.push_back(std::move(declared));
    }
    if (info.tables.empty()) {
        return fail("the inline xs:schema declares no table");
    }
    return info;
}

// Where the DataSet sits in the answer: its schema and the element holding its rows.
struct DataSetPayload {
    pugi::xml_node schema;
    pugi::xml_node rows;  // null: an empty diffgram, the DataSet has no rows
    DataSetSchema declared;
};

// `holder` carries the inline schema followed by the data: a diffgram (a DataSet serialised by
// ASP.NET), the DataSet element itself (an XmlNode answer: <NewDataSet><xs:schema/><Table/>...),
// or the DataSet element as a child of the holder.
Result<DataSetPayload> read_holder(pugi::xml_node holder) {
    const auto schema = child_element(holder, "schema", kXmlSchemaNamespace);
    if (!schema) {
        return fail("<" + std::string(holder.name()) +
                    "> holds no inline xs:schema: not a complete DataSet");
    }
    auto declared = read_schema(schema);
    if (!declared) {
        return fail(declared.error().message);
    }
    DataSetPayload payload{schema, {}, std::move(declared).value()};
    const std::string& dataset = payload.declared.dataset_element;
    if (const auto diffgram = child_element(holder, "diffgram", kDiffgramNamespace)) {
        for (auto child : diffgram.children()) {
            if (child.type() == pugi::node_element &&
                !is_element(child, "before", kDiffgramNamespace) &&
                !is_element(child, "errors", kDiffgramNamespace)) {
                payload.rows = child;
                break;
            }
        }
        return payload;  // no data element in the diffgram: zero rows
    }
    if (local_name(holder.name()) == dataset) {
        payload.rows = holder;
        return payload;
    }
    for (auto child : holder.children()) {
        if (child.type() == pugi::node_element && child.name() == dataset) {
            payload.rows = child;
            return payload;
        }
    }
    return fail("<" + std::string(holder.name()) + "> holds no diffgr:diffgram and no <" + dataset +
                "> element: not a complete DataSet");
}

// The text of a SOAP fault: <faultstring> (SOAP 1.1) or <Reason><Text> (SOAP 1.2).
std::string soap_fault_text(pugi::xml_node fault) {
    if (const auto text = child_by_local_name(fault, "faultstring")) {
        return excerpt(text.text().get());
    }
    if (const auto reason = child_by_local_name(fault, "Reason")) {
        return excerpt(first_element_child(reason).text().get());
    }
    return "(no fault text)";
}

// A SOAP 1.1 or 1.2 envelope around RunReportWithParametersResult.
Result<DataSetPayload> read_envelope(pugi::xml_node envelope) {
    const std::string_view soap = namespace_of_element(envelope);
    const auto body = child_element(envelope, "Body", soap);
    if (!body) {
        return fail("the NS answered a SOAP envelope without a Body");
    }
    const auto response = first_element_child(body);
    if (!response) {
        return fail("the NS answered an empty SOAP Body");
    }
    if (is_element(response, "Fault", soap)) {
        return fail("the NS answered a SOAP fault: " + soap_fault_text(response));
    }
    const auto result = first_element_child(response);
    if (!result || !local_name(result.name()).ends_with("Result")) {
        return fail("the NS answered a SOAP <" + std::string(local_name(response.name())) +
                    "> without a ...Result element");
    }
    // A DataSet return value is serialised into the Result element itself; an XmlNode return
    // value is the DataSet element inside it.
    if (child_element(result, "schema", kXmlSchemaNamespace)) {
        return read_holder(result);
    }
    const auto node = first_element_child(result);
    if (!node) {
        return fail("the NS answered an empty <" + std::string(local_name(result.name())) + ">");
    }
    return read_holder(node);
}

// An HTML page (IIS, ASP.NET, a proxy's sign-in page), recognised before any XML parsing:
// such pages are rarely well-formed XML.
std::optional<std::string> describe_html(std::string_view body) {
    const auto start = body.find('<');
    if (start == std::string_view::npos) {
        return std::nullopt;
    }
    const std::string head = ascii_lower(body.substr(start, 512));
    if (!head.starts_with("<!doctype html") && !head.starts_with("<html")) {
        return std::nullopt;
    }
    std::string description = "an HTML page";
    const std::string lower = ascii_lower(body.substr(0, 64 * 1024));
    const auto open = lower.find("<title>");
    const auto close = lower.find("</title>", open);
    if (open != std::string::npos && close != std::string::npos) {
        description += " \"" + excerpt(body.substr(open + 7, close - open - 7)) + "\"";
    }
    return description;
}

// What a well-formed document that is no report says, when its root tells.
std::optional<std::string> describe_document(pugi::xml_node root) {
    const std::string name(local_name(root.name()));
    const std::string_view ns = namespace_of_element(root);
    if (name == "Envelope" && (ns == kSoap11Namespace || ns == kSoap12Namespace)) {
        const auto fault = child_element(child_element(root, "Body", ns), "Fault", ns);
        if (fault) {
            return "a SOAP fault: " + soap_fault_text(fault);
        }
        return std::nullopt;
    }
    if (ascii_iequals(name, "Errors") || ascii_iequals(name, "Error")) {
        return "<" + name + ">: " + excerpt(root.text().get()) +
               excerpt(first_element_child(root).text().get());
    }
    return std::nullopt;
}

// Says what arrived when it is not a report, so that the operator can recognise it.
Error not_a_report(pugi::xml_node root) {
    if (const auto described = describe_document(root)) {
        return fail("the NS answered " + *described + ", not a report");
    }
    return fail("the NS answer's root element is <" + std::string(root.name()) +
                ">; expected <NewDataSet>, <DataSet xmlns=\"" + std::string(kAsdkNamespace) +
                "\"> or a SOAP envelope");
}

Result<DataSetPayload> locate_dataset(pugi::xml_node root) {
    const std::string_view name = local_name(root.name());
    const std::string_view ns = namespace_of_element(root);
    if (name == "Envelope" && (ns == kSoap11Namespace || ns == kSoap12Namespace)) {
        return read_envelope(root);
    }
    if (name == "DataSet") {
        if (ns != kAsdkNamespace) {
            return fail("the NS answer's DataSet is in namespace \"" + std::string(ns) +
                        "\", expected \"" + std::string(kAsdkNamespace) + "\"");
        }
        return read_holder(root);
    }
    // The documented answer: the DataSet element itself (NewDataSet), no namespace, schema
    // inline.
    if (child_element(root, "schema", kXmlSchemaNamespace)) {
        if (!ns.empty()) {
            return fail("the NS answer's <" + std::string(root.name()) + "> is in namespace \"" +
                        std::string(ns) + "\"; the documented <NewDataSet> answer has none");
        }
        return read_holder(root);
    }
    if (name == "NewDataSet") {
        return read_holder(root);  // says that the schema is missing
    }
    return not_a_report(root);
}

// The table holding the report: the one that declares the package GUID column.
Result<const TableSchema*> report_table(const DataSetSchema& declared, const NsColumns& columns) {
    const TableSchema* found = nullptr;
    for (const auto& table : declared.tables) {
        if (!table.columns.contains(columns.package_guid)) {
            continue;
        }
        if (found != nullptr) {
            return fail("the NS answer holds two tables with a \"" + columns.package_guid +
                        "\" column (<" + found->row_element + ">, <" + table.row_element +
                        ">): the report must return one result set");
        }
        found = &table;
    }
    if (found == nullptr) {
        return fail("the NS report has no column \"" + columns.package_guid +
                    "\" (ns.columns.package_guid); check the report's SQL or the column mapping");
    }
    return found;
}

}  // namespace

std::string decode_xml_name(std::string_view name) {
    std::string out;
    out.reserve(name.size());
    for (std::size_t i = 0; i < name.size();) {
        if (const auto escape = parse_name_escape(name, i)) {
            append_code_point(out, escape->code_point);
            i += escape->length;
        } else {
            out.push_back(name[i]);
            ++i;
        }
    }
    return out;
}

std::string describe_body(std::string_view body) {
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        return "an empty body";
    }
    if (auto html = describe_html(body)) {
        return std::move(*html);
    }
    pugi::xml_document document;
    if (document.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_auto)) {
        if (auto described = describe_document(document.document_element())) {
            return std::move(*described);
        }
    }
    return "\"" + excerpt(body) + "\"";
}

Result<NsAnswer> parse_report_dataset(std::string_view body, const NsColumns& columns,
                                      std::string_view server_name) {
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        return fail("the NS answered an empty body, not a report");
    }
    if (const auto html = describe_html(body)) {
        return fail("the NS answered " + *html + ", not a report");
    }
    pugi::xml_document document;
    const auto parsed =
        document.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_auto);
    if (!parsed) {
        return fail("the NS answer is not well-formed XML (at byte " +
                    std::to_string(parsed.offset) + ": " + parsed.description() +
                    "); it begins \"" + excerpt(body.substr(0, 80)) + "\"");
    }
    auto payload = locate_dataset(document.document_element());
    if (!payload) {
        return fail("the NS answer is unusable: " + payload.error().message);
    }
    auto table = report_table(payload->declared, columns);
    if (!table) {
        return fail(table.error().message);
    }
    const TableSchema& report = **table;
    const std::vector<std::pair<const char*, const std::string*>> mapped = {
        {"package_server", &columns.package_server},
        {"package_name", &columns.package_name},
        {"status", &columns.status},
        {"ns_version", &columns.ns_version},
        {"reported_version", &columns.reported_version}};
    for (const auto& [key, column] : mapped) {
        if (!report.columns.contains(*column)) {
            return fail("the NS report has no column \"" + *column + "\" (ns.columns." + key +
                        "); check the report's SQL or the column mapping");
        }
    }
    std::set<std::string> other_tables;
    for (const auto& declared : payload->declared.tables) {
        other_tables.insert(declared.row_element);
    }

    NsAnswer answer;
    if (!payload->rows) {
        return answer;  // an empty diffgram: the report returned no rows
    }
    std::set<std::string> seen_ids;
    std::size_t row_number = 0;
    for (auto row : payload->rows.children()) {
        if (row.type() != pugi::node_element || row == payload->schema) {
            continue;
        }
        ++row_number;
        const std::string where = "row " + std::to_string(row_number);
        if (row.name() != report.row_element) {
            if (other_tables.contains(row.name())) {
                continue;  // another result set of the report; not package rows
            }
            return fail("the NS answer's " + where + " is <" + row.name() + ">, expected <" +
                        report.row_element + ">");
        }
        std::map<std::string, std::string> values;
        for (auto cell : row.children()) {
            if (cell.type() == pugi::node_element) {
                // The NS's bytes enter psguard here: every value valid UTF-8.
                values[decode_xml_name(cell.name())] = valid_utf8(ascii_trim(cell.text().get()));
            }
        }
        // DBNull: ASP.NET leaves the cell's element out.
        const auto value = [&](const std::string& column) -> std::optional<std::string> {
            const auto it = values.find(column);
            if (it == values.end()) {
                return std::nullopt;
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
                        excerpt(*guid_text, 60) + "\"");
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
        if (report.columns.contains(columns.error)) {
            parsed_row.error = value(columns.error);
            if (parsed_row.error && parsed_row.error->empty()) {
                parsed_row.error.reset();
            }
        }
        if (!seen_ids.insert(parsed_row.id).second) {
            return fail("the NS answer lists package " + parsed_row.id +
                        " twice: the report must return one row per package");
        }
        answer.rows.push_back(std::move(parsed_row));
    }
    return answer;
}

}  // namespace psguard
