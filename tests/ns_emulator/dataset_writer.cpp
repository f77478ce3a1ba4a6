#include "dataset_writer.hpp"

#include <array>
#include <cstdio>
#include <utility>

namespace psguard::emulator {
namespace {

constexpr std::array<std::pair<AnswerShape, std::string_view>, 5> kShapeNames{{
    {AnswerShape::new_dataset, "new_dataset"},
    {AnswerShape::dataset_diffgram, "dataset_diffgram"},
    {AnswerShape::dataset_plain, "dataset_plain"},
    {AnswerShape::soap11, "soap11"},
    {AnswerShape::soap12, "soap12"},
}};

constexpr std::string_view kMsDataNamespace = "urn:schemas-microsoft-com:xml-msdata";
constexpr std::string_view kDiffgramNamespace = "urn:schemas-microsoft-com:xml-diffgram-v1";
constexpr std::size_t kChunkBytes = 64 * 1024;

// .NET writes CRLF line ends and two-space indentation.
void line(std::string& out, int depth, std::string_view text) {
    out.append(static_cast<std::size_t>(depth) * 2, ' ');
    out += text;
    out += "\r\n";
}

bool uses_diffgram(AnswerShape shape) {
    return shape == AnswerShape::dataset_diffgram || shape == AnswerShape::soap11 ||
           shape == AnswerShape::soap12;
}

bool is_soap(AnswerShape shape) {
    return shape == AnswerShape::soap11 || shape == AnswerShape::soap12;
}

// Depth of the element that holds the schema: the DataSet element, or the SOAP Result.
int holder_depth(AnswerShape shape) {
    return is_soap(shape) ? 3 : 0;
}

std::string namespace_attribute(const DataSetOptions& options, std::string_view own) {
    const std::string_view ns = options.root_namespace ? *options.root_namespace : own;
    return ns.empty() ? std::string() : R"( xmlns=")" + xml_escape(ns) + '"';
}

std::vector<std::string_view> declared_columns(const DataSetOptions& options) {
    std::vector<std::string_view> columns{kServerColumn, kNameColumn};
    if (options.include_status) {
        columns.push_back(kStatusColumn);
    }
    columns.insert(columns.end(), {kNsVersionColumn, kReportedColumn, kGuidColumn});
    if (options.include_error) {
        columns.push_back(kErrorColumn);
    }
    return columns;
}

void append_schema(std::string& out, int depth, const DataSetOptions& options) {
    line(out, depth,
         R"(<xs:schema id="NewDataSet" xmlns="" xmlns:xs="http://www.w3.org/2001/XMLSchema" )"
         R"(xmlns:msdata="urn:schemas-microsoft-com:xml-msdata">)");
    line(
        out, depth + 1,
        R"(<xs:element name="NewDataSet" msdata:IsDataSet="true" msdata:UseCurrentLocale="true">)");
    line(out, depth + 2, "<xs:complexType>");
    line(out, depth + 3, R"(<xs:choice minOccurs="0" maxOccurs="unbounded">)");
    line(out, depth + 4, R"(<xs:element name=")" + xml_escape(options.row_element) + R"(">)");
    line(out, depth + 5, "<xs:complexType>");
    line(out, depth + 6, "<xs:sequence>");
    for (const auto column : declared_columns(options)) {
        line(out, depth + 7,
             R"(<xs:element name=")" + std::string(column) +
                 R"(" type="xs:string" minOccurs="0" />)");
    }
    line(out, depth + 6, "</xs:sequence>");
    line(out, depth + 5, "</xs:complexType>");
    line(out, depth + 4, "</xs:element>");
    line(out, depth + 3, "</xs:choice>");
    line(out, depth + 2, "</xs:complexType>");
    line(out, depth + 1, "</xs:element>");
    line(out, depth, "</xs:schema>");
}

std::string soap_envelope_namespace(AnswerShape shape) {
    return shape == AnswerShape::soap11 ? "http://schemas.xmlsoap.org/soap/envelope/"
                                        : "http://www.w3.org/2003/05/soap-envelope";
}

std::string_view soap_prefix(AnswerShape shape) {
    return shape == AnswerShape::soap11 ? "soap" : "soap12";
}

void append_cell(std::string& out, int depth, std::string_view column,
                 const std::optional<std::string>& value) {
    if (!value) {
        return;  // DBNull
    }
    line(out, depth,
         "<" + std::string(column) + ">" + xml_escape(*value) + "</" + std::string(column) + ">");
}

}  // namespace

std::optional<AnswerShape> answer_shape_from_string(std::string_view name) {
    for (const auto& [shape, text] : kShapeNames) {
        if (text == name) {
            return shape;
        }
    }
    return std::nullopt;
}

std::string_view to_string(AnswerShape shape) {
    for (const auto& [candidate, text] : kShapeNames) {
        if (candidate == shape) {
            return text;
        }
    }
    return "unknown";
}

std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

namespace {

// The depth of the schema and of the data beside it: one below the element that holds them.
int content_depth(AnswerShape shape) {
    return holder_depth(shape) + 1;
}

// The depth of the row elements: beside the schema, or inside <NewDataSet> (and the diffgram).
int row_depth(AnswerShape shape) {
    const int depth = content_depth(shape);
    return uses_diffgram(shape)                  ? depth + 2
           : shape == AnswerShape::dataset_plain ? depth + 1
                                                 : depth;
}

std::string diffgram_open_tag() {
    return "<diffgr:diffgram xmlns:msdata=\"" + std::string(kMsDataNamespace) +
           "\" xmlns:diffgr=\"" + std::string(kDiffgramNamespace) + "\"";
}

// The XML declaration, the wrappers and the inline schema.
std::string head(const DataSetOptions& options) {
    const AnswerShape shape = options.shape;
    std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n";
    if (is_soap(shape)) {
        const std::string soap(soap_prefix(shape));
        line(out, 0,
             "<" + soap + ":Envelope xmlns:" + soap + "=\"" + soap_envelope_namespace(shape) +
                 R"(" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" )"
                 R"(xmlns:xsd="http://www.w3.org/2001/XMLSchema">)");
        line(out, 1, "<" + soap + ":Body>");
        line(out, 2,
             "<RunReportWithParametersResponse" + namespace_attribute(options, kAsdkNamespace) +
                 ">");
        line(out, 3, "<RunReportWithParametersResult>");
    } else if (shape == AnswerShape::new_dataset) {
        line(out, 0, "<NewDataSet" + namespace_attribute(options, "") + ">");
    } else {
        line(out, 0, "<DataSet" + namespace_attribute(options, kAsdkNamespace) + ">");
    }
    append_schema(out, content_depth(shape), options);
    return out;
}

// Closes what head() opened.
std::string tail(const DataSetOptions& options) {
    const AnswerShape shape = options.shape;
    std::string out;
    if (is_soap(shape)) {
        const std::string soap(soap_prefix(shape));
        line(out, 3, "</RunReportWithParametersResult>");
        line(out, 2, "</RunReportWithParametersResponse>");
        line(out, 1, "</" + soap + ":Body>");
        out += "</" + soap + ":Envelope>";
    } else {
        out += shape == AnswerShape::new_dataset ? "</NewDataSet>" : "</DataSet>";
    }
    return out;
}

}  // namespace

std::string dataset_prefix(const DataSetOptions& options) {
    const int depth = content_depth(options.shape);
    std::string out = head(options);
    if (uses_diffgram(options.shape)) {
        line(out, depth, diffgram_open_tag() + ">");
        line(out, depth + 1, R"(<NewDataSet xmlns="">)");
    } else if (options.shape == AnswerShape::dataset_plain) {
        line(out, depth, R"(<NewDataSet xmlns="">)");
    }
    return out;
}

std::string dataset_row(const ReportRow& row, std::size_t index, const DataSetOptions& options) {
    const int depth = row_depth(options.shape);
    std::string out;
    if (uses_diffgram(options.shape)) {
        // Inside a diffgram every row carries its change-tracking id and order.
        line(out, depth,
             "<" + options.row_element + R"( diffgr:id=")" + options.row_element +
                 std::to_string(index + 1) + R"(" msdata:rowOrder=")" + std::to_string(index) +
                 R"(">)");
    } else {
        line(out, depth, "<" + options.row_element + ">");
    }
    append_cell(out, depth + 1, kServerColumn, row.server);
    append_cell(out, depth + 1, kNameColumn, row.name);
    if (options.include_status) {
        append_cell(out, depth + 1, kStatusColumn, row.status);
    }
    append_cell(out, depth + 1, kNsVersionColumn, row.ns_version);
    append_cell(out, depth + 1, kReportedColumn, row.reported_version);
    append_cell(out, depth + 1, kGuidColumn, row.guid);
    if (options.include_error) {
        append_cell(out, depth + 1, kErrorColumn, row.error);
    }
    line(out, depth, "</" + options.row_element + ">");
    return out;
}

std::string dataset_suffix(const DataSetOptions& options) {
    const int depth = content_depth(options.shape);
    std::string out;
    if (uses_diffgram(options.shape)) {
        line(out, depth + 1, "</NewDataSet>");
        line(out, depth, "</diffgr:diffgram>");
    } else if (options.shape == AnswerShape::dataset_plain) {
        line(out, depth, "</NewDataSet>");
    }
    return out + tail(options);
}

std::string render_dataset(const std::vector<ReportRow>& rows, const DataSetOptions& options) {
    if (rows.empty() && uses_diffgram(options.shape)) {
        // ASP.NET writes a DataSet without rows as an empty diffgram.
        std::string out = head(options);
        line(out, content_depth(options.shape), diffgram_open_tag() + " />");
        return out + tail(options);
    }
    std::string out = dataset_prefix(options);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        out += dataset_row(rows[i], i, options);
    }
    return out + dataset_suffix(options);
}

HugeDataSet::HugeDataSet(std::string server, std::uint64_t target_bytes, DataSetOptions options)
    : server_(std::move(server)),
      options_(std::move(options)),
      prefix_(dataset_prefix(options_)),
      suffix_(dataset_suffix(options_)) {
    // Count the rows that fit, then pad with whitespace (legal between elements) to hit the
    // exact size; Content-Length must be known before the first byte is sent.
    std::uint64_t used = prefix_.size() + suffix_.size();
    for (;;) {
        const std::uint64_t row_bytes = dataset_row(row(row_count_), row_count_, options_).size();
        if (used + row_bytes > target_bytes) {
            break;
        }
        used += row_bytes;
        ++row_count_;
    }
    padding_ = target_bytes > used ? target_bytes - used : 0;
    size_ = used + padding_;
    padding_left_ = padding_;
}

ReportRow HugeDataSet::row(std::size_t index) const {
    char guid[40];
    std::snprintf(guid, sizeof guid, "00000000-0000-4000-8000-%012zx", index);
    return ReportRow{server_,      "Huge Package " + std::to_string(index + 1),
                     "Ready",      "1601867730",
                     "1601867730", guid,
                     std::nullopt};
}

bool HugeDataSet::next(std::string& out) {
    out.clear();
    while (out.size() < kChunkBytes && part_ != Part::done) {
        switch (part_) {
            case Part::prefix:
                out += prefix_;
                part_ = Part::rows;
                break;
            case Part::rows:
                if (next_row_ < row_count_) {
                    out += dataset_row(row(next_row_), next_row_, options_);
                    ++next_row_;
                } else {
                    part_ = Part::padding;
                }
                break;
            case Part::padding: {
                const std::uint64_t room = kChunkBytes > out.size() ? kChunkBytes - out.size() : 0;
                const std::uint64_t n = padding_left_ < room ? padding_left_ : room;
                out.append(static_cast<std::size_t>(n), ' ');
                padding_left_ -= n;
                if (padding_left_ == 0) {
                    part_ = Part::suffix;
                }
                break;
            }
            case Part::suffix:
                out += suffix_;
                part_ = Part::done;
                break;
            case Part::done:
                break;
        }
    }
    return !out.empty();
}

}  // namespace psguard::emulator
