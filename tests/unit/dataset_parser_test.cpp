#include "ns/dataset_parser.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
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

// The wrappings the NS answer comes in (common/ns/dataset_parser.hpp).
enum class Shape { new_dataset, dataset_diffgram, dataset_plain, soap11, soap12 };

constexpr Shape kAllShapes[] = {Shape::new_dataset, Shape::dataset_diffgram, Shape::dataset_plain,
                                Shape::soap11, Shape::soap12};

const char* shape_name(Shape shape) {
    switch (shape) {
        case Shape::new_dataset:
            return "NewDataSet";
        case Shape::dataset_diffgram:
            return "DataSetDiffgram";
        case Shape::dataset_plain:
            return "DataSetPlain";
        case Shape::soap11:
            return "Soap11";
        case Shape::soap12:
            return "Soap12";
    }
    return "?";
}

std::string schema(const std::vector<std::string>& columns, const std::string& table) {
    std::string xml =
        "<xs:schema id=\"NewDataSet\" xmlns=\"\" xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
        "xmlns:msdata=\"urn:schemas-microsoft-com:xml-msdata\">"
        "<xs:element name=\"NewDataSet\" msdata:IsDataSet=\"true\" "
        "msdata:UseCurrentLocale=\"true\"><xs:complexType>"
        "<xs:choice minOccurs=\"0\" maxOccurs=\"unbounded\"><xs:element name=\"" +
        table + "\"><xs:complexType><xs:sequence>";
    for (const auto& column : columns) {
        xml += "<xs:element name=\"" + column + "\" type=\"xs:string\" minOccurs=\"0\"/>";
    }
    return xml +
           "</xs:sequence></xs:complexType></xs:element></xs:choice></xs:complexType>"
           "</xs:element></xs:schema>\n";
}

std::string rows_xml(const std::vector<Row>& rows, const std::string& table, bool diffgram) {
    std::string xml;
    int index = 1;
    for (const auto& row : rows) {
        xml += "<" + table;
        if (diffgram) {
            xml += " diffgr:id=\"" + table + std::to_string(index) + "\" msdata:rowOrder=\"" +
                   std::to_string(index - 1) + "\"";
        }
        xml += ">";
        for (const auto& [name, text] : row.cells) {
            xml += "<" + name + ">" + text + "</" + name + ">";
        }
        xml += "</" + table + ">\n";
        ++index;
    }
    return xml;
}

std::string diffgram(const std::vector<Row>& rows, const std::string& table) {
    std::string xml =
        "<diffgr:diffgram xmlns:msdata=\"urn:schemas-microsoft-com:xml-msdata\" "
        "xmlns:diffgr=\"urn:schemas-microsoft-com:xml-diffgram-v1\"";
    if (rows.empty()) {
        return xml + "/>\n";  // how ASP.NET writes a DataSet without rows
    }
    return xml + ">\n<NewDataSet xmlns=\"\">\n" + rows_xml(rows, table, true) +
           "</NewDataSet>\n</diffgr:diffgram>\n";
}

struct Answer {
    Shape shape = Shape::new_dataset;
    std::vector<std::string> columns = kAllColumns;
    std::string ns = "http://Altiris.ASDK.NS.com";  // of the DataSet wrapper
    std::string table = "Table";
};

// Builds the NS's answer the way ASP.NET serialises it in each wrapping.
std::string answer_xml(const std::vector<Row>& rows, const Answer& how = {}) {
    const std::string declaration = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
    const std::string inline_schema = schema(how.columns, how.table);
    switch (how.shape) {
        case Shape::new_dataset:
            return declaration + "<NewDataSet>\n" + inline_schema +
                   rows_xml(rows, how.table, false) + "</NewDataSet>";
        case Shape::dataset_diffgram:
            return declaration + "<DataSet xmlns=\"" + how.ns + "\">\n" + inline_schema +
                   diffgram(rows, how.table) + "</DataSet>\n";
        case Shape::dataset_plain:
            return declaration + "<DataSet xmlns=\"" + how.ns + "\">\n" + inline_schema +
                   "<NewDataSet xmlns=\"\">\n" + rows_xml(rows, how.table, false) +
                   "</NewDataSet>\n</DataSet>\n";
        case Shape::soap11:
        case Shape::soap12: {
            const std::string envelope = how.shape == Shape::soap11
                                             ? "http://schemas.xmlsoap.org/soap/envelope/"
                                             : "http://www.w3.org/2003/05/soap-envelope";
            return declaration + "<soap:Envelope xmlns:soap=\"" + envelope +
                   "\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
                   "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\"><soap:Body>"
                   "<RunReportWithParametersResponse xmlns=\"" +
                   how.ns + "\"><RunReportWithParametersResult>" + inline_schema +
                   diffgram(rows, how.table) +
                   "</RunReportWithParametersResult></RunReportWithParametersResponse>"
                   "</soap:Body></soap:Envelope>";
        }
    }
    return {};
}

std::string dataset(const std::vector<Row>& rows,
                    const std::vector<std::string>& columns = kAllColumns,
                    const std::string& ns = "http://Altiris.ASDK.NS.com") {
    return answer_xml(rows, {Shape::dataset_diffgram, columns, ns});
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

// Every wrapping gives the same rows, NULL cells absent.
class ParseReportDatasetShapes : public ::testing::TestWithParam<Shape> {};

TEST_P(ParseReportDatasetShapes, ReadTheSameRows) {
    Row never_reported = package_row(kGuidB, "Invalid");
    never_reported.cells.erase(never_reported.cells.begin() + 4);  // Version Last Reported: NULL
    never_reported.cells.erase(never_reported.cells.begin() + 1);  // Package Name: NULL
    auto answer = parse_report_dataset(
        answer_xml({package_row(kGuidA, "Ready"), never_reported}, {GetParam()}), NsColumns{},
        "ps01");
    ASSERT_TRUE(answer) << answer.error().message;
    ASSERT_EQ(answer->rows.size(), 2u);
    EXPECT_EQ(answer->rows[0].id, "{6c821f5e-1234-4abc-9def-0123456789ab}");
    EXPECT_EQ(answer->rows[0].name, "Adobe Reader & Tools");
    EXPECT_EQ(answer->rows[0].status, "Ready");
    EXPECT_EQ(answer->rows[0].reported_version, "1601867729");
    EXPECT_EQ(answer->rows[1].id, kGuidB);
    EXPECT_EQ(answer->rows[1].status, "Invalid");
    EXPECT_EQ(answer->rows[1].name, "");
    EXPECT_FALSE(answer->rows[1].reported_version.has_value());
    EXPECT_EQ(answer->rows[1].ns_version, "1601867730");
}

TEST_P(ParseReportDatasetShapes, ZeroRowsIsAWellFormedAnswer) {
    auto answer = parse_report_dataset(answer_xml({}, {GetParam()}), NsColumns{}, "PS01");
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_TRUE(answer->rows.empty());
}

TEST_P(ParseReportDatasetShapes, AnyRowElementTheSchemaDeclares) {
    Answer how{GetParam()};
    how.table = "Table1";
    auto answer =
        parse_report_dataset(answer_xml({package_row(kGuidA, "Ready")}, how), NsColumns{}, "PS01");
    ASSERT_TRUE(answer) << answer.error().message;
    ASSERT_EQ(answer->rows.size(), 1u);
}

TEST_P(ParseReportDatasetShapes, ARowMissingItsStatusMakesTheWholeAnswerUnusable) {
    Row row = package_row(kGuidA, "Ready");
    row.cells.erase(row.cells.begin() + 2);
    auto answer = parse_report_dataset(
        answer_xml({package_row(kGuidB, "Ready"), row}, {GetParam()}), NsColumns{}, "PS01");
    ASSERT_FALSE(answer);
    EXPECT_NE(answer.error().message.find("row 2"), std::string::npos) << answer.error().message;
}

INSTANTIATE_TEST_SUITE_P(AllShapes, ParseReportDatasetShapes, ::testing::ValuesIn(kAllShapes),
                         [](const ::testing::TestParamInfo<Shape>& shape_info) {
                             return std::string(shape_name(shape_info.param));
                         });

// The documented answer of the ASDK (root <NewDataSet>, no namespace), as a file: the shape a
// real NS sends, kept apart from the builders above.
TEST(ParseReportDataset, ReadsTheDocumentedNewDataSetAnswer) {
    std::ifstream in(std::string(PSGUARD_FIXTURES_DIR) + "/ns/run_report_with_parameters.xml",
                     std::ios::binary);
    ASSERT_TRUE(in) << "fixture missing";
    const std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto answer = parse_report_dataset(body, NsColumns{}, "PKGSRV01");
    ASSERT_TRUE(answer) << answer.error().message;
    ASSERT_EQ(answer->rows.size(), 3u);
    EXPECT_EQ(answer->rows[0].id, "{6c821f5e-aa10-4b6c-9d7e-3f0b8a2e1c44}");
    EXPECT_EQ(answer->rows[0].status, "Invalid");
    EXPECT_EQ(answer->rows[0].reported_version, "1601867730");
    EXPECT_EQ(answer->rows[1].name, "7-Zip 19.00 (x64)");
    EXPECT_FALSE(answer->rows[1].reported_version.has_value());  // never reported: NULL
    EXPECT_EQ(answer->rows[2].status, "Ready");
    EXPECT_EQ(answer->rows[0].error,
              "The trust relationship between this workstation and the primary domain "
              "failed(1789).");
    EXPECT_FALSE(answer->rows[2].error.has_value());
}

TEST(ParseReportDataset, ErrorColumnIsOptional) {
    auto without =
        parse_report_dataset(answer_xml({package_row(kGuidA, "Ready")}), NsColumns{}, "PS01");
    ASSERT_TRUE(without) << without.error().message;
    EXPECT_FALSE(without->rows[0].error.has_value());

    Answer how;
    how.columns.push_back("Error");
    Row row = package_row(kGuidA, "Invalid");
    row.cells.push_back({"Error", "Access is denied (-2147024891)"});
    auto with = parse_report_dataset(answer_xml({row}, how), NsColumns{}, "PS01");
    ASSERT_TRUE(with) << with.error().message;
    EXPECT_EQ(with->rows[0].error, "Access is denied (-2147024891)");
}

TEST(ParseReportDataset, RowsOfAnotherDeclaredTableAreNotPackages) {
    // A report whose SQL returns a second result set: only the table with the GUID column
    // holds packages.
    std::string body = answer_xml({package_row(kGuidA, "Ready")});
    const std::string second_table =
        "<xs:element name=\"Table1\"><xs:complexType><xs:sequence><xs:element name=\"Total\" "
        "type=\"xs:int\" minOccurs=\"0\"/></xs:sequence></xs:complexType></xs:element>";
    body.insert(body.find("</xs:choice>"), second_table);
    body.insert(body.find("</NewDataSet>"), "<Table1><Total>1</Total></Table1>\n");
    auto answer = parse_report_dataset(body, NsColumns{}, "PS01");
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_EQ(answer->rows.size(), 1u);
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

// The NS's bytes enter psguard as valid UTF-8: an invalid byte in a cell is replaced.
TEST(ParseReportDataset, CellsAreValidUtf8WhateverTheAnswerHolds) {
    Row row = package_row(kGuidA, "Inva\xFFlid");
    row.cells[1].second = "Adobe \xC3 Reader";
    auto answer = parse_report_dataset(dataset({row}), NsColumns{}, "ps01");
    ASSERT_TRUE(answer) << answer.error().message;
    ASSERT_EQ(answer->rows.size(), 1u);
    EXPECT_EQ(answer->rows[0].status, "Inva\xEF\xBF\xBDlid");
    EXPECT_EQ(answer->rows[0].name, "Adobe \xEF\xBF\xBD Reader");
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

std::string new_dataset_in_namespace() {
    std::string body = answer_xml({package_row(kGuidA, "Ready")});
    body.replace(body.find("<NewDataSet>"), 12, "<NewDataSet xmlns=\"urn:other\">");
    return body;
}

std::string with_undeclared_row() {
    std::string body = answer_xml({package_row(kGuidA, "Ready")});
    body.insert(body.rfind("</NewDataSet>"), "<Row><Status>Ready</Status></Row>\n");
    return body;
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
        Unusable{"empty body", "", "empty body"}, Unusable{"blank body", " \r\n ", "empty body"},
        Unusable{"html error page",
                 "<html><head><title>Runtime Error</title></head><body>Server Error</body></html>",
                 "HTML page \"Runtime Error\", not a report"},
        Unusable{"aspnet error page doctype",
                 "<!DOCTYPE html>\r\n<html><head><title>Login</title></head></html>", "HTML page"},
        Unusable{"errors answer",
                 "<Errors><Error>Report execution failed: Invalid column name 'Version'.</Error>"
                 "</Errors>",
                 "<Errors>: Report execution failed"},
        Unusable{"soap 1.1 fault",
                 "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">"
                 "<soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>Server "
                 "was unable to process request.</faultstring></soap:Fault></soap:Body>"
                 "</soap:Envelope>",
                 "SOAP fault: Server was unable to process request."},
        Unusable{"soap 1.2 fault",
                 "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body>"
                 "<s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code><s:Reason><s:Text "
                 "xml:lang=\"en\">Timeout expired.</s:Text></s:Reason></s:Fault></s:Body>"
                 "</s:Envelope>",
                 "SOAP fault: Timeout expired."},
        Unusable{"soap envelope in another namespace",
                 "<soap:Envelope xmlns:soap=\"urn:other\"><soap:Body/></soap:Envelope>",
                 "root element is <soap:Envelope>"},
        Unusable{"soap result without a dataset",
                 "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">"
                 "<soap:Body><RunReportWithParametersResponse xmlns=\"http://Altiris.ASDK.NS."
                 "com\"><RunReportWithParametersResult/></RunReportWithParametersResponse>"
                 "</soap:Body></soap:Envelope>",
                 "empty <RunReportWithParametersResult>"},
        Unusable{"string answer",
                 "<string xmlns=\"http://Altiris.ASDK.NS.com\">Access "
                 "denied</string>",
                 "root element is <string>"},
        Unusable{"newdataset in a namespace", new_dataset_in_namespace(),
                 "<NewDataSet> is in namespace \"urn:other\""},
        Unusable{"newdataset without schema", "<NewDataSet><Table/></NewDataSet>",
                 "<NewDataSet> holds no inline xs:schema"},
        Unusable{"undeclared row element", with_undeclared_row(), "row 2 is <Row>"},
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
