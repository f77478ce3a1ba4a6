// The support bundle's anonymisation on its own: stable placeholders, paths component by
// component, the NS answer cut to its first rows in every wrapping, the document's shape kept.
#include "collect/anonymiser.hpp"
#include "collect/xml_anonymiser.hpp"

#include <gtest/gtest.h>

namespace psguard {
namespace {

TEST(Anonymiser, SameOriginalSamePlaceholder) {
    Anonymiser anonymiser(false);
    EXPECT_EQ(anonymiser.package("Acme Payroll"), "package-1");
    EXPECT_EQ(anonymiser.package("Finance"), "package-2");
    EXPECT_EQ(anonymiser.package("Acme Payroll"), "package-1");
    EXPECT_EQ(anonymiser.file("acme-setup.exe"), "file-1.exe");
    EXPECT_EQ(anonymiser.account("ACMECORP\\svc-acme"), "account-1");
    EXPECT_EQ(anonymiser.host("ps01.acme.example"), "host-1");
    // Free text: every original seen, in any case, and the short host name.
    EXPECT_EQ(anonymiser.text("svc-acme on PS01 could not fetch acme payroll"),
              "account-1 on host-1 could not fetch package-1");
}

TEST(Anonymiser, PathsKeepTheAgentsOwnNames) {
    Anonymiser anonymiser(false);
    EXPECT_EQ(anonymiser.path("C:\\Program Files\\Altiris\\Altiris Agent\\Package Delivery\\"
                              "{6C821F5E-1A2B-4C3D-8E9F-0A1B2C3D4E01}\\cache\\payroll.msi"),
              "C:\\Program Files\\Altiris\\Altiris Agent\\Package Delivery\\"
              "{6C821F5E-1A2B-4C3D-8E9F-0A1B2C3D4E01}\\cache\\file-1.msi");
    EXPECT_EQ(anonymiser.path("D:\\AcmeStore\\Payroll"), "D:\\dir-1\\dir-2");
    EXPECT_EQ(anonymiser.path("\\\\acmefs01\\share$\\x"), "\\\\host-1\\dir-3\\dir-4");
    EXPECT_EQ(anonymiser.text("Cannot create directory: 0x80070005 [Access is denied] "
                              "D:\\AcmeStore\\New"),
              "Cannot create directory: 0x80070005 [Access is denied] D:\\dir-1\\dir-5");
}

TEST(Anonymiser, HiddenGuidsAreStableAndShaped) {
    Anonymiser anonymiser(true);
    const std::string a = anonymiser.guid("{6C821F5E-1A2B-4C3D-8E9F-0A1B2C3D4E01}");
    EXPECT_EQ(a, "{00000000-0000-4000-8000-000000000001}");
    EXPECT_EQ(anonymiser.guid("{6c821f5e-1a2b-4c3d-8e9f-0a1b2c3d4e01}"), a);
    EXPECT_EQ(anonymiser.text("package 6c821f5e-1a2b-4c3d-8e9f-0a1b2c3d4e01 failed"),
              "package " + a + " failed");
}

TEST(Anonymiser, JsonKeepsVocabularyAndNumbers) {
    Anonymiser anonymiser(false);
    const nlohmann::json out = anonymiser.json(
        {{"package_server", {{"name", "PSACME"}}},
         {"packages", {{{"name", "Acme Payroll"}, {"verdict", "stale_on_ns"}, {"rows", 3}}}},
         {"server", "PSACME"}});
    EXPECT_EQ(out["package_server"]["name"], "host-1");
    EXPECT_EQ(out["server"], "host-1");
    EXPECT_EQ(out["packages"][0]["name"], "package-1");
    EXPECT_EQ(out["packages"][0]["verdict"], "stale_on_ns");
    EXPECT_EQ(out["packages"][0]["rows"], 3);
}

std::string rows(int count) {
    std::string xml;
    for (int i = 0; i < count; ++i) {
        xml += "<Table><Package_x0020_Name>Acme " + std::to_string(i) +
               "</Package_x0020_Name><Status>Ready</Status><Package_x0020_GUID>{6c821f5e-1a2b-"
               "4c3d-8e9f-0a1b2c3d4e0" +
               std::to_string(i) + "}</Package_x0020_GUID></Table>";
    }
    return xml;
}

const std::string kSchema =
    "<xs:schema id=\"NewDataSet\" xmlns=\"\" xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
    "xmlns:msdata=\"urn:schemas-microsoft-com:xml-msdata\"><xs:element name=\"NewDataSet\" "
    "msdata:IsDataSet=\"true\"><xs:complexType><xs:choice maxOccurs=\"unbounded\"><xs:element "
    "name=\"Table\"><xs:complexType><xs:sequence><xs:element name=\"Package_x0020_Name\" "
    "type=\"xs:string\" minOccurs=\"0\"/><xs:element name=\"Status\" type=\"xs:string\" "
    "minOccurs=\"0\"/><xs:element name=\"Error\" type=\"xs:string\" minOccurs=\"0\"/><xs:element "
    "name=\"Package_x0020_GUID\" type=\"xs:string\" "
    "minOccurs=\"0\"/></xs:sequence></xs:complexType></xs:element></xs:choice></xs:complexType>"
    "</xs:element></xs:schema>";

TEST(NsAnswerSample, FirstRowsOfEveryWrapping) {
    const std::vector<std::pair<std::string, std::string>> shapes = {
        {"NewDataSet", "<NewDataSet>" + kSchema + rows(8) + "</NewDataSet>"},
        {"DataSet+diffgram",
         "<DataSet xmlns=\"http://Altiris.ASDK.NS.com\">" + kSchema +
             "<diffgr:diffgram xmlns:diffgr=\"urn:schemas-microsoft-com:xml-diffgram-v1\">"
             "<NewDataSet xmlns=\"\">" +
             rows(8) + "</NewDataSet></diffgr:diffgram></DataSet>"},
        {"SOAP 1.1",
         "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>"
         "<RunReportWithParametersResponse xmlns=\"http://Altiris.ASDK.NS.com\">"
         "<RunReportWithParametersResult><NewDataSet xmlns=\"\">" +
             kSchema + rows(8) +
             "</NewDataSet></RunReportWithParametersResult></RunReportWithParametersResponse>"
             "</soap:Body></soap:Envelope>"}};
    for (const auto& [shape, body] : shapes) {
        Anonymiser anonymiser(false);
        auto sample = sample_ns_answer(body, anonymiser, 5);
        ASSERT_TRUE(sample) << shape << ": " << sample.error().message;
        EXPECT_EQ(sample->rows_total, 8u) << shape;
        EXPECT_EQ(sample->rows_kept, 5u) << shape;
        // Cells first, then the schema's NULL-everywhere column.
        EXPECT_EQ(sample->columns,
                  (std::vector<std::string>{"Package Name", "Status", "Package GUID", "Error"}))
            << shape;
        EXPECT_EQ(sample->xml.find("Acme"), std::string::npos) << shape << sample->xml;
        EXPECT_NE(sample->xml.find("<Package_x0020_Name>package-5</Package_x0020_Name>"),
                  std::string::npos)
            << shape << sample->xml;
        EXPECT_EQ(sample->xml.find("package-6"), std::string::npos) << shape;
        EXPECT_NE(sample->xml.find("<Status>Ready</Status>"), std::string::npos) << shape;
    }
}

TEST(XmlAnonymiser, SnapshotShapeKeptNamesReplaced) {
    Anonymiser anonymiser(false);
    auto out = anonymise_xml(
        "<Snapshot version=\"7\" location=\"E:\\AcmeStore\\pkg\"><!-- built by acmebuild -->"
        "<Files><File><Name>bin\\acme.dll</Name><Size>12</Size></File></Files></Snapshot>",
        anonymiser);
    ASSERT_TRUE(out) << out.error().message;
    EXPECT_EQ(out->find("acme"), std::string::npos) << *out;
    EXPECT_EQ(out->find("Acme"), std::string::npos) << *out;
    EXPECT_NE(out->find("<Snapshot version=\"7\" location=\"E:\\dir-1\\dir-2\">"),
              std::string::npos)
        << *out;
    EXPECT_NE(out->find("<Name>dir-3\\file-1.dll</Name>"), std::string::npos) << *out;
    EXPECT_NE(out->find("<Size>12</Size>"), std::string::npos) << *out;
    EXPECT_FALSE(anonymise_xml("<a><b></a>", anonymiser));
}

}  // namespace
}  // namespace psguard
