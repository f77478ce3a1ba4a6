#include "collect/xml_anonymiser.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <map>
#include <sstream>

#include "core/ascii.hpp"
#include "ns/dataset_parser.hpp"

namespace psguard {
namespace {

std::string_view element_local_name(const char* qualified) {
    const std::string_view name(qualified);
    const auto colon = name.rfind(':');
    return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::string_view element_prefix(const char* qualified) {
    const std::string_view name(qualified);
    const auto colon = name.find(':');
    return colon == std::string_view::npos ? std::string_view{} : name.substr(0, colon);
}

bool is_schema(const pugi::xml_node& node) {
    return ascii_lower(element_local_name(node.name())) == "schema";
}

// Attributes of the XML, DataSet and SOAP machinery, not of the site.
bool is_markup_attribute(const pugi::xml_attribute& attribute) {
    const std::string prefix = ascii_lower(element_prefix(attribute.name()));
    return std::string_view(attribute.name()).starts_with("xmlns") || prefix == "xs" ||
           prefix == "xsd" || prefix == "xsi" || prefix == "msdata" || prefix == "diffgr" ||
           prefix == "soap" || prefix == "soap12" || prefix == "xml";
}

bool is_file_entry(const pugi::xml_node& node) {
    return ascii_lower(element_local_name(node.name())).find("file") != std::string::npos;
}

// A value under `name` (a field), inside `owner` (the element it belongs to).
std::string anonymise_value(Anonymiser& anonymiser, const pugi::xml_node& owner,
                            std::string_view name, std::string_view value) {
    const std::string lower = ascii_lower(decode_xml_name(name));
    if (is_file_entry(owner) && (lower == "name" || lower == "path")) {
        return anonymiser.path(value);
    }
    return anonymiser.field(decode_xml_name(name), value);
}

void anonymise_tree(pugi::xml_node root, Anonymiser& anonymiser) {
    // Iterative: no recursion on hostile nesting depth.
    std::vector<pugi::xml_node> stack{root};
    while (!stack.empty()) {
        pugi::xml_node node = stack.back();
        stack.pop_back();
        if (node.type() == pugi::node_element) {
            if (is_schema(node)) {
                continue;  // column declarations: kept
            }
            for (pugi::xml_attribute attribute : node.attributes()) {
                if (!is_markup_attribute(attribute)) {
                    attribute.set_value(anonymise_value(anonymiser, node,
                                                        element_local_name(attribute.name()),
                                                        attribute.value())
                                            .c_str());
                }
            }
        } else if (node.type() == pugi::node_pcdata || node.type() == pugi::node_cdata) {
            const pugi::xml_node element = node.parent();
            if (std::string_view(node.value()).find_first_not_of(" \t\r\n") !=
                std::string_view::npos) {
                // The text's field is its element; a file entry's field is the element's parent.
                node.set_value(anonymise_value(anonymiser, element.parent(),
                                               element_local_name(element.name()), node.value())
                                   .c_str());
            }
        } else if (node.type() == pugi::node_comment) {
            node.set_value(" (comment removed) ");
        }
        for (pugi::xml_node child = node.last_child(); child; child = child.previous_sibling()) {
            stack.push_back(child);
        }
    }
}

Result<pugi::xml_document*> load_xml(pugi::xml_document& document, std::string_view bytes) {
    const pugi::xml_parse_result result =
        document.load_buffer(bytes.data(), bytes.size(),
                             pugi::parse_default | pugi::parse_declaration, pugi::encoding_auto);
    if (!result) {
        return fail(std::string("malformed XML: ") + result.description());
    }
    return &document;
}

std::string save(const pugi::xml_document& document) {
    std::ostringstream out;
    document.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
    return out.str();
}

// A row: an element whose children are all cells (elements without element children).
bool is_row(const pugi::xml_node& node) {
    bool cells = false;
    for (const pugi::xml_node child : node.children()) {
        if (child.type() == pugi::node_element) {
            if (child.find_child(
                    [](const pugi::xml_node& n) { return n.type() == pugi::node_element; })) {
                return false;
            }
            cells = true;
        }
    }
    return cells;
}

// The row container and the rows' name: the row element the schema declares (under xs:choice)
// when there is one; else the element whose row children repeat one name most often.
std::pair<pugi::xml_node, std::string> find_rows(const pugi::xml_document& document) {
    for (const pugi::xpath_node& declared : document.select_nodes(
             "//*[local-name()='schema']//*[local-name()='choice']/*[local-name()='element']/"
             "@name")) {
        const std::string row_name = declared.attribute().value();
        if (row_name.empty() || row_name.find_first_of("'\"") != std::string::npos) {
            continue;  // not an XML name: cannot be a row
        }
        const pugi::xpath_node first = document.select_node(
            ("//*[local-name()='" + row_name + "' and not(ancestor::*[local-name()='schema'])]")
                .c_str());
        if (first.node()) {
            return {first.node().parent(), first.node().name()};
        }
    }
    pugi::xml_node best;
    std::string best_name;
    std::size_t best_count = 0;
    std::vector<pugi::xml_node> stack{document.document_element()};
    while (!stack.empty()) {
        const pugi::xml_node node = stack.back();
        stack.pop_back();
        if (!node || is_schema(node)) {
            continue;
        }
        std::map<std::string, std::size_t> counts;
        for (const pugi::xml_node child : node.children()) {
            if (child.type() != pugi::node_element || is_schema(child)) {
                continue;
            }
            if (is_row(child)) {
                const std::size_t count = ++counts[child.name()];
                if (count > best_count) {
                    best_count = count;
                    best = node;
                    best_name = child.name();
                }
            }
            stack.push_back(child);
        }
    }
    return {best, best_name};
}

}  // namespace

Result<std::string> anonymise_xml(std::string_view bytes, Anonymiser& anonymiser) {
    pugi::xml_document document;
    if (auto loaded = load_xml(document, bytes); !loaded) {
        return loaded.error();
    }
    anonymise_tree(document, anonymiser);
    return save(document);
}

Result<NsAnswerSample> sample_ns_answer(std::string_view body, Anonymiser& anonymiser,
                                        std::size_t keep_rows) {
    pugi::xml_document document;
    if (auto loaded = load_xml(document, body); !loaded) {
        return loaded.error();
    }
    NsAnswerSample sample;
    const auto add_column = [&](std::string_view name) {
        const std::string decoded = decode_xml_name(name);
        if (std::find(sample.columns.begin(), sample.columns.end(), decoded) ==
            sample.columns.end()) {
            sample.columns.push_back(decoded);
        }
    };
    auto [container, row_name] = find_rows(document);
    if (container) {
        std::vector<pugi::xml_node> extra;
        for (pugi::xml_node row = container.child(row_name.c_str()); row;
             row = row.next_sibling(row_name.c_str())) {
            ++sample.rows_total;
            for (const pugi::xml_node cell : row.children()) {
                if (cell.type() == pugi::node_element) {
                    add_column(element_local_name(cell.name()));
                }
            }
            if (sample.rows_total > keep_rows) {
                extra.push_back(row);
            }
        }
        for (const pugi::xml_node& row : extra) {
            container.remove_child(row);
        }
        sample.rows_kept = sample.rows_total - extra.size();
        // Columns that are NULL in every row appear only in the schema's row declaration.
        for (const pugi::xpath_node& declared :
             document.select_nodes(("//*[local-name()='element' and @name='" +
                                    std::string(element_local_name(row_name.c_str())) +
                                    "']//*[local-name()='element']/@name")
                                       .c_str())) {
            add_column(declared.attribute().value());
        }
    }
    anonymise_tree(document, anonymiser);
    sample.xml = save(document);
    return sample;
}

}  // namespace psguard
