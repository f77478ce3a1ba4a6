// The NS emulator through its real process and real HTTPS, as psguard's integration tests use it.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <future>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <pugixml.hpp>

#include "support/child_process.hpp"
#include "support/https_client.hpp"
#include "support/ns_emulator.hpp"
#include "support/temp_dir.hpp"

namespace psguard::test {
namespace {

using nlohmann::json;
using Row = std::map<std::string, std::string>;

constexpr const char* kReportGuid = "{a1b2c3d4-0000-4000-8000-000000000001}";
constexpr const char* kAsdkNamespace = "http://Altiris.ASDK.NS.com";

std::string report_form(std::string_view server, std::string_view guid = kReportGuid) {
    return "reportItemGuid=" + form_encode(guid) +
           "&nameValuePairs=" + form_encode("PackageServer=" + std::string(server));
}

ClientResponse run_report(const NsEmulator& emulator, std::string_view server = "PS01",
                          ClientRequest request = {}) {
    if (request.port == 0) {
        request = emulator.request();
    }
    return post_form(request, std::string(NsEmulator::kReportPath), report_form(server));
}

struct ParsedDataSet {
    pugi::xml_document document;
    pugi::xml_parse_result result;
    std::vector<Row> rows;
    std::vector<std::string> schema_columns;

    pugi::xml_node root() const { return document.document_element(); }
    pugi::xml_node first(const char* qualified_name) const {
        return document.select_node(("//*[name()='" + std::string(qualified_name) + "']").c_str())
            .node();
    }
    pugi::xml_node diffgram() const { return first("diffgr:diffgram"); }
};

// A deliberately plain reading of the answer in any wrapping, independent of psguard's parser:
// the columns of the schema's first table, then every <Table> element's cells.
std::unique_ptr<ParsedDataSet> parse_dataset(const std::string& body) {
    auto parsed = std::make_unique<ParsedDataSet>();
    parsed->result = parsed->document.load_buffer(body.data(), body.size());
    if (!parsed->result) {
        return parsed;
    }
    const auto sequence = parsed->first("xs:schema")
                              .child("xs:element")
                              .child("xs:complexType")
                              .child("xs:choice")
                              .child("xs:element")
                              .child("xs:complexType")
                              .child("xs:sequence");
    for (const auto column : sequence.children("xs:element")) {
        parsed->schema_columns.emplace_back(column.attribute("name").value());
    }
    for (const auto& table : parsed->document.select_nodes("//Table")) {
        Row row;
        for (const auto cell : table.node().children()) {
            row[cell.name()] = cell.text().get();
        }
        parsed->rows.push_back(std::move(row));
    }
    return parsed;
}

const std::vector<std::string> kReportColumns = {
    "Package_x0020_Server",
    "Package_x0020_Name",
    "Status",
    "Package_x0020_Version_x0020_on_x0020_NS",
    "Version_x0020_Last_x0020_Reported_x0020_by_x0020_PS",
    "Package_x0020_GUID"};

TEST(NsEmulatorTest, ServesTheDocumentedNewDataSetAnswerByDefault) {
    NsEmulator emulator;
    const ClientResponse response = run_report(emulator);
    ASSERT_TRUE(response.ok()) << response.error_stage << ": " << response.error.message();
    EXPECT_EQ(response.status, 200u);
    EXPECT_EQ(response.headers[boost::beast::http::field::content_type], "text/xml; charset=utf-8");

    const auto dataset = parse_dataset(response.body);
    ASSERT_TRUE(dataset->result) << dataset->result.description();
    // <NewDataSet> with no namespace, the inline schema as its first child, then the rows.
    EXPECT_STREQ(dataset->root().name(), "NewDataSet");
    EXPECT_FALSE(dataset->root().attribute("xmlns"));
    EXPECT_STREQ(dataset->root().first_child().name(), "xs:schema");
    EXPECT_STREQ(dataset->root().first_child().attribute("id").value(), "NewDataSet");
    EXPECT_FALSE(dataset->diffgram());
    EXPECT_EQ(dataset->schema_columns, kReportColumns);
    ASSERT_EQ(dataset->rows.size(), 3u);  // PS02's package is not for PS01
    EXPECT_STREQ(dataset->root().child("Table").name(), "Table");
    EXPECT_FALSE(dataset->root().child("Table").first_attribute());

    const Row& first = dataset->rows[0];
    EXPECT_EQ(first.at("Package_x0020_Server"), "PS01");
    EXPECT_EQ(first.at("Package_x0020_Name"), "Adobe Reader");
    EXPECT_EQ(first.at("Status"), "Invalid");
    EXPECT_EQ(first.at("Package_x0020_Version_x0020_on_x0020_NS"), "1601867730");
    EXPECT_EQ(first.at("Version_x0020_Last_x0020_Reported_x0020_by_x0020_PS"), "1601867730");
    EXPECT_EQ(first.at("Package_x0020_GUID"), "6c821f5e-1234-4abc-9def-0123456789ab");
    EXPECT_EQ(dataset->rows[1].at("Package_x0020_Name"), "7-Zip & Tools <x64>");  // escaped
    EXPECT_EQ(dataset->rows[2].count("Version_x0020_Last_x0020_Reported_x0020_by_x0020_PS"), 0u)
        << "a null version is omitted, as ASP.NET omits DBNull";

    const json log = emulator.requests();
    ASSERT_EQ(log["count"], 1);
    const json& logged = log["requests"][0];
    EXPECT_EQ(logged["method"], "POST");
    EXPECT_EQ(logged["path"], NsEmulator::kReportPath);
    EXPECT_EQ(logged["form"]["nameValuePairs"], "PackageServer=PS01");
    EXPECT_EQ(logged["form"]["reportItemGuid"], kReportGuid);
    EXPECT_EQ(logged["authorization"], false);
    EXPECT_EQ(logged["status"], 200);
}

TEST(NsEmulatorTest, ServesEveryAnswerShape) {
    NsEmulator emulator;
    struct Expected {
        const char* shape;
        const char* root;
        const char* result_parent;  // the element holding schema and data
    };
    for (const Expected& expected :
         {Expected{"dataset_diffgram", "DataSet", "DataSet"},
          Expected{"dataset_plain", "DataSet", "DataSet"},
          Expected{"soap11", "soap:Envelope", "RunReportWithParametersResult"},
          Expected{"soap12", "soap12:Envelope", "RunReportWithParametersResult"}}) {
        emulator.set_scenario({{"answer_shape", expected.shape}});
        const auto dataset = parse_dataset(run_report(emulator).body);
        ASSERT_TRUE(dataset->result) << expected.shape << ": " << dataset->result.description();
        EXPECT_STREQ(dataset->root().name(), expected.root) << expected.shape;
        EXPECT_STREQ(dataset->first("xs:schema").parent().name(), expected.result_parent)
            << expected.shape;
        EXPECT_EQ(dataset->schema_columns, kReportColumns) << expected.shape;
        EXPECT_EQ(dataset->rows.size(), 3u) << expected.shape;
        EXPECT_EQ(static_cast<bool>(dataset->diffgram()),
                  std::string_view(expected.shape) != "dataset_plain")
            << expected.shape;
    }
    const auto soap = parse_dataset(run_report(emulator).body);
    EXPECT_STREQ(soap->root().attribute("xmlns:soap12").value(),
                 "http://www.w3.org/2003/05/soap-envelope");
}

TEST(NsEmulatorTest, NullCellsInEveryOptionalColumnAreLeftOut) {
    NsEmulator emulator;
    emulator.set_scenario({{"error_column", true},
                           {"packages",
                            {{{"guid", "6c821f5e-1234-4abc-9def-0123456789ab"},
                              {"name", nullptr},
                              {"server", nullptr},
                              {"status", "Invalid"},
                              {"ns_version", nullptr},
                              {"reported_version", nullptr},
                              {"error", nullptr}},
                             {{"guid", "6d417916-1234-4abc-9def-0123456789ab"},
                              {"name", "Reader"},
                              {"status", "Invalid"},
                              {"error", "Access is denied (-2147024891)"}}}}});
    const auto dataset = parse_dataset(run_report(emulator).body);
    ASSERT_TRUE(dataset->result);
    ASSERT_EQ(dataset->rows.size(), 2u) << "a NULL server still belongs to the scenario's server";
    EXPECT_EQ(dataset->rows[0],
              (Row{{"Status", "Invalid"},
                   {"Package_x0020_GUID", "6c821f5e-1234-4abc-9def-0123456789ab"}}));
    EXPECT_EQ(dataset->rows[1].at("Error"), "Access is denied (-2147024891)");
    EXPECT_EQ(dataset->schema_columns.back(), "Error");
}

// The emulator serves the columns config/ns-report.sql names, in its order, so that the two
// cannot drift: every "AS [Alias]" of the SQL (the commented optional Error column included),
// encoded as XmlConvert.EncodeName writes a column caption.
TEST(NsEmulatorTest, ColumnsAreTheAliasesOfTheShippedReportSql) {
    std::ifstream sql(std::string(PSGUARD_SOURCE_DIR) + "/config/ns-report.sql");
    ASSERT_TRUE(sql);
    std::vector<std::string> aliases;
    for (std::string line; std::getline(sql, line);) {
        const auto as = line.find(" AS [");
        if (as == std::string::npos) {
            continue;
        }
        const auto end = line.find(']', as);
        std::string encoded;
        for (const char c : line.substr(as + 5, end - as - 5)) {
            encoded += c == ' ' ? std::string("_x0020_") : std::string(1, c);
        }
        aliases.push_back(encoded);
    }
    NsEmulator emulator;
    emulator.set_scenario({{"error_column", true}});
    const auto dataset = parse_dataset(run_report(emulator).body);
    auto expected = kReportColumns;
    expected.push_back("Error");
    EXPECT_EQ(aliases, expected) << "config/ns-report.sql";
    EXPECT_EQ(dataset->schema_columns, aliases);
}

TEST(NsEmulatorTest, MatchesThePackageServerCaseInsensitively) {
    NsEmulator emulator;
    const auto other = parse_dataset(run_report(emulator, "ps02").body);
    ASSERT_EQ(other->rows.size(), 1u);
    EXPECT_EQ(other->rows[0].at("Package_x0020_Server"), "PS02");

    const ClientResponse unknown = run_report(emulator, "PS99");
    EXPECT_EQ(unknown.status, 200u);
    const auto none = parse_dataset(unknown.body);
    ASSERT_TRUE(none->result);
    EXPECT_TRUE(none->rows.empty());
}

TEST(NsEmulatorTest, ZeroRowsGivesTheSchemaAlone) {
    NsEmulator emulator;
    emulator.set_fault("zero_rows");
    const auto plain = parse_dataset(run_report(emulator).body);
    ASSERT_TRUE(plain->result) << plain->result.description();
    EXPECT_TRUE(plain->rows.empty());
    EXPECT_EQ(plain->schema_columns.size(), 6u);

    emulator.set_scenario({{"answer_shape", "dataset_diffgram"}});
    const auto dataset = parse_dataset(run_report(emulator).body);
    ASSERT_TRUE(dataset->result) << dataset->result.description();
    ASSERT_TRUE(dataset->diffgram());
    EXPECT_FALSE(dataset->diffgram().first_child()) << "ASP.NET writes <diffgr:diffgram ... />";
}

TEST(NsEmulatorTest, AnswersThatAreNoReport) {
    NsEmulator emulator;
    emulator.set_fault("empty_body");
    const ClientResponse empty = run_report(emulator);
    EXPECT_EQ(empty.status, 200u);
    EXPECT_TRUE(empty.body.empty());

    emulator.set_fault("errors_answer");
    const auto errors = parse_dataset(run_report(emulator).body);
    ASSERT_TRUE(errors->result);
    EXPECT_STREQ(errors->root().name(), "Errors");

    emulator.set_fault("html_page");
    const ClientResponse html = run_report(emulator);
    EXPECT_EQ(html.status, 200u);
    EXPECT_NE(html.body.find("<title>Web Proxy Sign-in</title>"), std::string::npos);

    emulator.set_scenario({{"fault", "soap_fault"}, {"answer_shape", "soap12"}});
    const ClientResponse fault = run_report(emulator);
    EXPECT_EQ(fault.status, 500u);
    EXPECT_NE(fault.body.find("<soap:Reason>"), std::string::npos);
}

TEST(NsEmulatorTest, Http401FaultAnswers401) {
    NsEmulator emulator;
    emulator.set_fault("http_401");
    const ClientResponse response = run_report(emulator);
    ASSERT_TRUE(response.ok());
    EXPECT_EQ(response.status, 401u);
}

TEST(NsEmulatorTest, BasicAuthNeedsTheRightCredentialsAndNeverLogsThem) {
    json scenario = NsEmulator::default_scenario();
    scenario["auth"] = {{"type", "basic"}, {"username", "u"}, {"password", "p"}};
    NsEmulator emulator(scenario);

    const ClientResponse anonymous = run_report(emulator);
    EXPECT_EQ(anonymous.status, 401u);
    EXPECT_EQ(anonymous.headers[boost::beast::http::field::www_authenticate],
              R"(Basic realm="NS")");

    ClientRequest wrong = emulator.request();
    wrong.headers = {{"Authorization", "Basic dTp3cm9uZw=="}};  // u:wrong
    EXPECT_EQ(run_report(emulator, "PS01", wrong).status, 401u);

    ClientRequest right = emulator.request();
    right.headers = {{"Authorization", "Basic dTpw"}};  // u:p
    EXPECT_EQ(run_report(emulator, "PS01", right).status, 200u);

    const json log = emulator.requests();
    EXPECT_EQ(log["count"], 3);
    EXPECT_EQ(log["requests"][2]["authorization"], true);
    EXPECT_EQ(log.dump().find("dTp"), std::string::npos);
}

TEST(NsEmulatorTest, WrongHostCertificateFailsVerificationForLocalhost) {
    json scenario = NsEmulator::default_scenario();
    scenario["fault"] = "wrong_host_cert";
    NsEmulator emulator(scenario);

    const ClientResponse response = run_report(emulator);
    EXPECT_FALSE(response.ok());
    EXPECT_EQ(response.error_stage, "handshake");
    EXPECT_EQ(response.status, 0u);

    // Same CA, so only the host name is wrong: without the host check the chain is fine.
    ClientRequest chain_only = emulator.request();
    chain_only.verify_host_name = false;
    EXPECT_EQ(run_report(emulator, "PS01", chain_only).status, 200u);
}

TEST(NsEmulatorTest, WrongHostCertificateCanBeSwitchedOnAtRuntime) {
    NsEmulator emulator;
    EXPECT_TRUE(run_report(emulator).ok());
    emulator.set_fault("wrong_host_cert");  // applies to connections accepted from now on
    const ClientResponse response = run_report(emulator);
    EXPECT_FALSE(response.ok());
    EXPECT_EQ(response.error_stage, "handshake");
    emulator.set_fault("none");
    EXPECT_TRUE(run_report(emulator).ok());
}

TEST(NsEmulatorTest, TruncatedSendsFewerBytesThanContentLength) {
    NsEmulator emulator;
    emulator.set_fault("truncated");
    const ClientResponse response = run_report(emulator);
    EXPECT_FALSE(response.ok()) << "the read must fail: the body ended early";
    EXPECT_EQ(response.status, 200u);
    ASSERT_TRUE(response.content_length);
    EXPECT_LT(response.body.size(), *response.content_length);
    EXPECT_GT(response.body.size(), 0u);
}

TEST(NsEmulatorTest, PackageStatusChangeIsVisibleInTheNextAnswer) {
    NsEmulator emulator;
    emulator.set_package_status({{"server", "ps01"},
                                 {"guid", "6c821f5e-1234-4abc-9def-0123456789ab"},
                                 {"status", "Ready"},
                                 {"reported_version", "1601869999"}});
    const auto dataset = parse_dataset(run_report(emulator).body);
    ASSERT_FALSE(dataset->rows.empty());
    EXPECT_EQ(dataset->rows[0].at("Status"), "Ready");
    EXPECT_EQ(dataset->rows[0].at("Version_x0020_Last_x0020_Reported_x0020_by_x0020_PS"),
              "1601869999");
    EXPECT_THROW(emulator.set_package_status({{"server", "PS02"},
                                              {"guid", "{6C821F5E-1234-4ABC-9DEF-0123456789AB}"},
                                              {"status", "Ready"}}),
                 std::runtime_error)
        << "that package is not on PS02";
}

TEST(NsEmulatorTest, GarbageGets400AndTheServerKeepsServing) {
    NsEmulator emulator;
    ClientRequest garbage = emulator.request();
    garbage.raw = std::string("\x01\x02 this is not HTTP\r\n\r\n", 24);
    const ClientResponse rejected = https_request(garbage);
    EXPECT_EQ(rejected.status, 400u) << rejected.error_stage << ": " << rejected.error.message();

    ClientRequest oversized = emulator.request();
    oversized.headers = {{"X-Filler", std::string(9000, 'a')}};
    EXPECT_EQ(https_request(oversized).status, 431u);

    EXPECT_EQ(run_report(emulator).status, 200u);
}

TEST(NsEmulatorTest, ValidatesTheRequestLikeAsmx) {
    NsEmulator emulator;
    const std::string path(NsEmulator::kReportPath);

    const ClientResponse wrong_guid = post_form(
        emulator.request(), path, report_form("PS01", "{00000000-0000-4000-8000-000000000000}"));
    EXPECT_EQ(wrong_guid.status, 500u);

    // Braces optional, case ignored.
    const ClientResponse bare_guid = post_form(
        emulator.request(), path, report_form("PS01", "A1B2C3D4-0000-4000-8000-000000000001"));
    EXPECT_EQ(bare_guid.status, 200u);

    const ClientResponse missing =
        post_form(emulator.request(), path, "reportItemGuid=" + form_encode(kReportGuid));
    EXPECT_EQ(missing.status, 500u);
    EXPECT_NE(missing.body.find("Missing parameter: nameValuePairs"), std::string::npos);

    ClientRequest get = emulator.request();
    get.target = path;
    EXPECT_EQ(https_request(get).status, 500u);

    ClientRequest json_body = emulator.request();
    json_body.method = boost::beast::http::verb::post;
    json_body.target = path;
    json_body.content_type = "application/json";
    json_body.body = "{}";
    EXPECT_EQ(https_request(json_body).status, 500u);

    EXPECT_THROW(emulator.set_fault("no_such_fault"), std::runtime_error);
}

TEST(NsEmulatorTest, FailFirstNAnswers503ThenServes) {
    NsEmulator emulator;
    emulator.set_scenario({{"fault", "fail_first_n"}, {"fault_count", 2}});
    EXPECT_EQ(run_report(emulator).status, 503u);
    EXPECT_EQ(run_report(emulator).status, 503u);
    EXPECT_EQ(run_report(emulator).status, 200u);
}

TEST(NsEmulatorTest, DelayedAnswerDoesNotBlockOtherConnections) {
    NsEmulator emulator;
    emulator.set_scenario({{"fault", "delay"}, {"fault_delay_ms", 1500}});
    const auto started = std::chrono::steady_clock::now();
    auto delayed = std::async(std::launch::async, [&] { return run_report(emulator); });

    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    emulator.requests();  // answered while the report is still waiting
    EXPECT_EQ(delayed.wait_for(std::chrono::seconds(0)), std::future_status::timeout);

    const ClientResponse response = delayed.get();
    EXPECT_EQ(response.status, 200u);
    EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(1400));
}

TEST(NsEmulatorTest, HugeBodyHasTheConfiguredSizeAndIsWellFormed) {
    NsEmulator emulator;
    constexpr std::uint64_t kSize = 3 * 1024 * 1024;
    emulator.set_scenario({{"fault", "huge_body"}, {"fault_huge_bytes", kSize}});
    const ClientResponse response = run_report(emulator);
    ASSERT_TRUE(response.ok()) << response.error.message();
    EXPECT_EQ(response.content_length, kSize);
    EXPECT_EQ(response.body.size(), kSize);
    const auto dataset = parse_dataset(response.body);
    ASSERT_TRUE(dataset->result) << dataset->result.description();
    EXPECT_GT(dataset->rows.size(), 1000u);
}

TEST(NsEmulatorTest, BrokenDataSetFaults) {
    NsEmulator emulator;

    emulator.set_fault("malformed_xml");
    EXPECT_FALSE(parse_dataset(run_report(emulator).body)->result);

    emulator.set_fault("wrong_namespace");
    const auto wrong_namespace = parse_dataset(run_report(emulator).body);
    ASSERT_TRUE(wrong_namespace->result);
    EXPECT_STRNE(wrong_namespace->root().attribute("xmlns").value(), kAsdkNamespace);

    emulator.set_fault("missing_column");
    const auto missing = parse_dataset(run_report(emulator).body);
    ASSERT_EQ(missing->rows.size(), 3u);
    EXPECT_EQ(missing->rows[0].count("Status"), 0u);
    EXPECT_EQ(missing->schema_columns.size(), 5u);

    emulator.set_fault("duplicate_rows");
    const auto duplicated = parse_dataset(run_report(emulator).body);
    ASSERT_EQ(duplicated->rows.size(), 4u);
    EXPECT_EQ(duplicated->rows[3], duplicated->rows[0]);

    emulator.set_fault("http_503");
    EXPECT_EQ(run_report(emulator).status, 503u);
    emulator.set_fault("http_500");
    EXPECT_EQ(run_report(emulator).status, 500u);
    emulator.set_fault("http_403");
    EXPECT_EQ(run_report(emulator).status, 403u);
}

TEST(NsEmulatorTest, ServeAnnouncesItsPortAndStopsCleanlyOnSigterm) {
    TempDir dir;
    {
        ChildProcess certs({PSGUARD_NS_EMULATOR_PATH, "make-certs", "--dir", dir.path().string()});
        ASSERT_EQ(certs.wait(std::chrono::seconds(10)), 0) << certs.stderr_text();
    }
    std::ofstream(dir / "scenario.json") << NsEmulator::default_scenario().dump();
    ChildProcess server({PSGUARD_NS_EMULATOR_PATH, "serve", "--cert-dir", dir.path().string(),
                         "--scenario", (dir / "scenario.json").string(), "--port", "0",
                         "--port-file", (dir / "port").string()});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!std::filesystem::exists(dir / "port") && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(std::filesystem::exists(dir / "port")) << server.stderr_text();
    std::string port;
    std::ifstream(dir / "port") >> port;
    // The line reaches the test through a pipe that a reader thread drains: wait for it (on a
    // loaded machine it lagged behind the port file).
    const std::string announced = "listening on 127.0.0.1:" + port;
    while (server.stdout_text().find(announced) == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_NE(server.stdout_text().find(announced), std::string::npos) << server.stdout_text();

    server.signal(SIGTERM);
    EXPECT_EQ(server.wait(std::chrono::seconds(5)), 0) << server.stderr_text();
}

}  // namespace
}  // namespace psguard::test
