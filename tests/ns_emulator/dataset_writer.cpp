#include "dataset_writer.hpp"

#include <array>
#include <cstdio>

namespace psguard::emulator {
namespace {

// .NET writes CRLF line ends and two-space indentation.
constexpr std::string_view kEol = "\r\n";

// Column names as XmlConvert.EncodeName writes the report's column captions.
constexpr std::string_view kServerColumn = "Package_x0020_Server";
constexpr std::string_view kNameColumn = "Package_x0020_Name";
constexpr std::string_view kStatusColumn = "Status";
constexpr std::string_view kNsVersionColumn = "Package_x0020_Version_x0020_on_x0020_NS";
constexpr std::string_view kReportedColumn = "Version_x0020_Last_x0020_Reported_x0020_by_x0020_PS";
constexpr std::string_view kGuidColumn = "Package_x0020_GUID";

constexpr std::string_view kDiffgramAttributes =
    R"(xmlns:msdata="urn:schemas-microsoft-com:xml-msdata" )"
    R"(xmlns:diffgr="urn:schemas-microsoft-com:xml-diffgram-v1")";

constexpr std::size_t kChunkBytes = 64 * 1024;

std::string header_and_schema(const DataSetOptions& options) {
    std::string out;
    out += R"(<?xml version="1.0" encoding="utf-8"?>)";
    out += kEol;
    out += R"(<DataSet xmlns=")" + xml_escape(options.root_namespace) + R"(">)";
    out += kEol;
    out += R"(  <xs:schema id="NewDataSet" xmlns="" xmlns:xs="http://www.w3.org/2001/XMLSchema" )"
           R"(xmlns:msdata="urn:schemas-microsoft-com:xml-msdata">)";
    out += kEol;
    out += R"(    <xs:element name="NewDataSet" msdata:IsDataSet="true" )"
           R"(msdata:UseCurrentLocale="true">)";
    out += kEol;
    out += "      <xs:complexType>";
    out += kEol;
    out += R"(        <xs:choice minOccurs="0" maxOccurs="unbounded">)";
    out += kEol;
    out += R"(          <xs:element name="Table">)";
    out += kEol;
    out += "            <xs:complexType>";
    out += kEol;
    out += "              <xs:sequence>";
    out += kEol;
    const std::array<std::string_view, 6> columns{kServerColumn,    kNameColumn,     kStatusColumn,
                                                  kNsVersionColumn, kReportedColumn, kGuidColumn};
    for (const auto column : columns) {
        if (column == kStatusColumn && !options.include_status) {
            continue;
        }
        out += R"(                <xs:element name=")";
        out += column;
        out += R"(" type="xs:string" minOccurs="0" />)";
        out += kEol;
    }
    out += "              </xs:sequence>";
    out += kEol;
    out += "            </xs:complexType>";
    out += kEol;
    out += "          </xs:element>";
    out += kEol;
    out += "        </xs:choice>";
    out += kEol;
    out += "      </xs:complexType>";
    out += kEol;
    out += "    </xs:element>";
    out += kEol;
    out += "  </xs:schema>";
    out += kEol;
    return out;
}

void append_column(std::string& out, std::string_view column, const std::string& value) {
    out += "        <";
    out += column;
    out += '>';
    out += xml_escape(value);
    out += "</";
    out += column;
    out += '>';
    out += kEol;
}

}  // namespace

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

std::string dataset_prefix(const DataSetOptions& options) {
    std::string out = header_and_schema(options);
    out += "  <diffgr:diffgram ";
    out += kDiffgramAttributes;
    out += '>';
    out += kEol;
    out += R"(    <NewDataSet xmlns="">)";
    out += kEol;
    return out;
}

std::string dataset_row(const ReportRow& row, std::size_t index, const DataSetOptions& options) {
    std::string out = R"(      <Table diffgr:id="Table)" + std::to_string(index + 1) +
                      R"(" msdata:rowOrder=")" + std::to_string(index) + R"(">)";
    out += kEol;
    append_column(out, kServerColumn, row.server);
    append_column(out, kNameColumn, row.name);
    if (options.include_status) {
        append_column(out, kStatusColumn, row.status);
    }
    // DBNull columns are left out of the row, as ASP.NET does.
    if (row.ns_version) {
        append_column(out, kNsVersionColumn, *row.ns_version);
    }
    if (row.reported_version) {
        append_column(out, kReportedColumn, *row.reported_version);
    }
    append_column(out, kGuidColumn, row.guid);
    out += "      </Table>";
    out += kEol;
    return out;
}

std::string dataset_suffix() {
    std::string out = "    </NewDataSet>";
    out += kEol;
    out += "  </diffgr:diffgram>";
    out += kEol;
    out += "</DataSet>";
    return out;
}

std::string render_dataset(const std::vector<ReportRow>& rows, const DataSetOptions& options) {
    if (rows.empty()) {
        std::string out = header_and_schema(options);
        out += "  <diffgr:diffgram ";
        out += kDiffgramAttributes;
        out += " />";
        out += kEol;
        out += "</DataSet>";
        return out;
    }
    std::string out = dataset_prefix(options);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        out += dataset_row(rows[i], i, options);
    }
    out += dataset_suffix();
    return out;
}

HugeDataSet::HugeDataSet(std::string server, std::uint64_t target_bytes)
    : server_(std::move(server)), prefix_(dataset_prefix({})), suffix_(dataset_suffix()) {
    // Count the rows that fit, then pad with whitespace (legal between elements) to hit the
    // exact size; Content-Length must be known before the first byte is sent.
    std::uint64_t used = prefix_.size() + suffix_.size();
    for (;;) {
        const std::uint64_t row_bytes = dataset_row(row(row_count_), row_count_, {}).size();
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
                     "1601867730", guid};
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
                    out += dataset_row(row(next_row_), next_row_, {});
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
