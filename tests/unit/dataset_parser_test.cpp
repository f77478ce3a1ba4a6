#include "ns/dataset_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace psguard {
namespace {

// Builds an ASMX DataSet answer the way the NS serialises one.
struct Row {
    std::vector<std::pair<std::string, std::string>> cells;  // encoded element name -> text
};

const std::vector<std::string> kAllColumns = {"Package_x0020_Server",
                                              "Package_x0020_Name",
                                              "Status",
                                              "Package_x0020_Version_x0020_on_x0020_NS",
                                              "Version_x0020_Last_x0020_Reported_x0020_by_x0020_PS",
                                              "Package_x0020_GUID"};

std::string dataset(const std::vector<Row>& rows,
                    const std::vector<std::string>& columns = kAllColumns,
                    const std::string& ns = "http://Altiris.ASDK.NS.com") {
    std::string xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<DataSet xmlns=\"" + ns +
                      "\">\n<xs:schema id=\"NewDataSet\" xmlns=\"\" "
                      "xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
                      "xmlns:msdata=\"urn:schemas-microsoft-com:xml-msdata\">"
                      "<xs:element name=\"NewDataSet\" msdata:IsDataSet=\"true\"><xs:complexType>"
                      "<xs:choice minOccurs=\"0\" maxOccurs=\"unbounded\"><xs:element "
                      "name=\"Table\"><xs:complexType><xs:sequence>";
    for (const auto& column : columns) {
        xml += "<xs:element name=\"" + column + "\" type=\"xs:string\" minOccurs=\"0\"/>";
    }
    xml +=
        "</xs:sequence></xs:complexType></xs:element></xs:choice></xs:complexType>"
        "</xs:element></xs:schema>\n<diffgr:diffgram "
        "xmlns:msdata=\"urn:schemas-microsoft-com:xml-msdata\" "
        "xmlns:diffgr=\"urn:schemas-microsoft-com:xml-diffgram-v1\"";
    if (rows.empty()) {
        return xml + "/>\n</DataSet>\n";
    }
    xml += ">\n<NewDataSet xmlns=\"\">\n";
    int index = 1;
    for (const auto& row : rows) {
        xml += "<Table diffgr:id=\"Table" + std::to_string(index) + "\" msdata:rowOrder=\"" +
               std::to_string(index - 1) + "\">";
        for (const auto& [name, text] : row.cells) {
            xml += "<" + name + ">" + text + "</" + name + ">";
        }
        xml += "</Table>\n";
        ++index;
    }
    return xml + "</NewDataSet>\n</diffgr:diffgram>\n</DataSet>\n";
}

Row package_row(const std::string& guid, const std::string& status,
                const std::string& server = "PS01") {
    return Row{{{"Package_x0020_Server", server},
                {"Package_x0020_Name", "Adobe Reader &amp; Tools"},
                {"Status", status},
                {"Package_x0020_Version_x0020_on_x0020_NS", "1601867730"},
                {"Version_x0020_Last_x0020_Reported_x0020_by_x0020_PS", "1601867729"},
                {"Package_x0020_GUID", guid}}};
}

const std::string kGuidA = "6C821F5E-1234-4ABC-9DEF-0123456789AB";
const std::string kGuidB = "{6d417916-1234-4abc-9def-0123456789ab}";

TEST(DecodeXmlName, DecodesXmlConvertEscapes) {
    EXPECT_EQ(decode_xml_name("Package_x0020_Server"), "Package Server");
    EXPECT_EQ(decode_xml_name("Version_x0020_Last_x0020_Reported_x0020_by_x0020_PS"),
              "Version Last Reported by PS");
    EXPECT_EQ(decode_xml_name("_x0031_st"), "1st");
    EXPECT_EQ(decode_xml_name("a_x00E9_"), "a\xC3\xA9");
    EXPECT_EQ(decode_xml_name("x_x0001F600_"), "x\xF0\x9F\x98\x80");
    EXPECT_EQ(decode_xml_name("plain_name"), "plain_name");
    EXPECT_EQ(decode_xml_name("_x00zz_"), "_x00zz_");
    EXPECT_EQ(decode_xml_name("_x0020"), "_x0020");
}

TEST(ParseReportDataset, ReadsRowsWithEncodedColumnNames) {
    auto answer = parse_report_dataset(
        dataset({package_row(kGuidA, "Invalid"), package_row(kGuidB, "Ready")}), NsColumns{},
        "ps01");
    ASSERT_TRUE(answer) << answer.error().message;
    ASSERT_EQ(answer->rows.size(), 2u);
    const auto& row = answer->rows[0];
    EXPECT_EQ(row.id, "{6c821f5e-1234-4abc-9def-0123456789ab}");
    EXPECT_EQ(row.name, "Adobe Reader & Tools");
    EXPECT_EQ(row.status, "Invalid");
    EXPECT_EQ(row.server, "PS01");
    EXPECT_EQ(row.ns_version, "1601867730");
    EXPECT_EQ(row.reported_version, "1601867729");
    EXPECT_EQ(answer->rows[1].id, kGuidB);
}

TEST(ParseReportDataset, NullColumnsAreAbsentNotEmpty) {
    Row row = package_row(kGuidA, "Pending");
    row.cells.erase(row.cells.begin() + 4);  // Version Last Reported by PS is DBNull
    auto answer = parse_report_dataset(dataset({row}), NsColumns{}, "PS01");
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_FALSE(answer->rows[0].reported_version.has_value());
}

TEST(ParseReportDataset, EmptyDiffgramIsAWellFormedAnswerWithZeroRows) {
    auto answer = parse_report_dataset(dataset({}), NsColumns{}, "PS01");
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_TRUE(answer->rows.empty());
}

TEST(ParseReportDataset, ConfiguredColumnNamesAreUsed) {
    NsColumns columns;
    columns.status = "State";
    std::vector<std::string> names = kAllColumns;
    names[2] = "State";
    Row row = package_row(kGuidA, "Ready");
    row.cells[2].first = "State";
    auto answer = parse_report_dataset(dataset({row}, names), columns, "PS01");
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_EQ(answer->rows[0].status, "Ready");
}

struct Unusable {
    const char* name;
    std::string body;
    const char* message_part;
};

class ParseReportDatasetRejects : public ::testing::TestWithParam<Unusable> {};

TEST_P(ParseReportDatasetRejects, TheWholeAnswer) {
    auto answer = parse_report_dataset(GetParam().body, NsColumns{}, "PS01");
    ASSERT_FALSE(answer) << "accepted: " << GetParam().name;
    EXPECT_NE(answer.error().message.find(GetParam().message_part), std::string::npos)
        << answer.error().message;
}

std::vector<std::string> without_status() {
    auto columns = kAllColumns;
    columns.erase(columns.begin() + 2);
    return columns;
}

Row row_without_status() {
    Row row = package_row(kGuidA, "Ready");
    row.cells.erase(row.cells.begin() + 2);
    return row;
}

std::string truncated() {
    const std::string full = dataset({package_row(kGuidA, "Ready"), package_row(kGuidB, "Ready")});
    return full.substr(0, full.size() / 2);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, ParseReportDatasetRejects,
    ::testing::Values(
        Unusable{"truncated", truncated(), "not well-formed"},
        Unusable{"malformed", "<DataSet xmlns=\"http://Altiris.ASDK.NS.com\"><Table></DataSet>",
                 "not well-formed"},
        Unusable{"empty body", "", "not well-formed"},
        Unusable{"html error page", "<html><body>Server Error</body></html>", "<html>"},
        Unusable{"wrong namespace",
                 dataset({package_row(kGuidA, "Ready")}, kAllColumns, "urn:other"), "namespace"},
        Unusable{"missing column in schema", dataset({row_without_status()}, without_status()),
                 "no column \"Status\""},
        Unusable{"row without status", dataset({row_without_status()}), "has no \"Status\""},
        Unusable{"duplicate rows",
                 dataset({package_row(kGuidA, "Ready"), package_row(kGuidA, "Invalid")}), "twice"},
        Unusable{"duplicate rows differing in case",
                 dataset({package_row(kGuidA, "Ready"),
                          package_row("{6c821f5e-1234-4abc-9def-0123456789ab}", "Ready")}),
                 "twice"},
        Unusable{"invalid guid", dataset({package_row("not-a-guid", "Ready")}),
                 "invalid package GUID"},
        Unusable{"row for another server", dataset({package_row(kGuidA, "Ready", "PS02")}), "PS02"},
        Unusable{"no schema",
                 "<DataSet xmlns=\"http://Altiris.ASDK.NS.com\"><NewDataSet/></DataSet>",
                 "xs:schema"}),
    [](const ::testing::TestParamInfo<Unusable>& param_info) {
        std::string name = param_info.param.name;
        for (char& c : name) {
            if (!std::isalnum(static_cast<unsigned char>(c))) {
                c = '_';
            }
        }
        return name;
    });

}  // namespace
}  // namespace psguard
