#include "local/status_parser.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "temp_tree.hpp"

namespace psguard {
namespace {

using test::TempTree;

// UTF-16 with a BOM, from ASCII/Latin-1 text (enough for these documents).
std::string utf16(std::string_view text, bool big_endian) {
    std::string out = big_endian ? std::string("\xFE\xFF", 2) : std::string("\xFF\xFE", 2);
    for (const char c : text) {
        const char low = c;
        const char high = '\0';
        out += big_endian ? high : low;
        out += big_endian ? low : high;
    }
    return out;
}

// "Pr\u00eat" ("Prêt") in UTF-16: one non-ASCII character, to prove real decoding.
std::string utf16_pret(bool big_endian) {
    std::string body = utf16("<PackageStatus status=\"Pr", big_endian);
    body += big_endian ? std::string("\x00\xEA", 2) : std::string("\xEA\x00", 2);
    body += utf16("t\" version=\"7\"/>", big_endian).substr(2);
    return body;
}

StatusDocument parse_ok(std::string_view bytes, const ParseConfig& config = {}) {
    auto parsed = parse_status_document(bytes, config);
    EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message);
    return parsed.ok() ? parsed.value() : StatusDocument{};
}

std::string parse_error(std::string_view bytes, const ParseConfig& config = {}) {
    auto parsed = parse_status_document(bytes, config);
    EXPECT_FALSE(parsed.ok());
    return parsed.ok() ? std::string() : parsed.error().message;
}

SnapshotDocument snapshot_ok(std::string_view bytes, const ParseConfig& config = {}) {
    auto parsed = parse_snapshot_document(bytes, config);
    EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message);
    return parsed.ok() ? parsed.value() : SnapshotDocument{};
}

std::string snapshot_error(std::string_view bytes, const ParseConfig& config = {}) {
    auto parsed = parse_snapshot_document(bytes, config);
    EXPECT_FALSE(parsed.ok());
    return parsed.ok() ? std::string() : parsed.error().message;
}

// --- PackageStatus.xml ---------------------------------------------------------------------

TEST(StatusDocument, AttributeForm) {
    const auto doc = parse_ok(
        R"(<PackageStatus id="{6d417916-1234-4abc-9def-0123456789ab}" status="Ready" version="1601867730"/>)");
    EXPECT_EQ(doc.status, "Ready");
    EXPECT_EQ(doc.version, "1601867730");
}

TEST(StatusDocument, ElementForm) {
    const auto doc = parse_ok(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<PackageStatus>\r\n  "
        "<Status>Ready</Status>\r\n  <Version>1601867730</Version>\r\n</PackageStatus>\r\n");
    EXPECT_EQ(doc.status, "Ready");
    EXPECT_EQ(doc.version, "1601867730");
}

// The ASDK names the agent's package field PackageVersion (and its status Status).
TEST(StatusDocument, VersionNamedPackageVersion) {
    const auto attribute =
        parse_ok(R"(<PackageStatus Status="Ready" PreviousStatus="Pending" PackageVersion="42"/>)");
    EXPECT_EQ(attribute.status, "Ready");
    EXPECT_EQ(attribute.version, "42");
    const auto element = parse_ok(
        "<Package><Status>Ready</Status><PackageVersion>1601867730</PackageVersion></Package>");
    EXPECT_EQ(element.version, "1601867730");
}

// The file's bytes enter psguard as valid UTF-8 (invalid bytes replaced); control characters
// stay, for JSON to escape and the table to show escaped.
TEST(StatusDocument, ValuesAreValidUtf8WhateverTheFileHolds) {
    const auto doc = parse_ok(
        "<PackageStatus status=\"Re\xFF"
        "ady\x1B[2J&#10;FORGED\" version=\"1\xC3\"/>");
    EXPECT_EQ(doc.status,
              "Re\xEF\xBF\xBD"
              "ady\x1B[2J\nFORGED");
    EXPECT_EQ(doc.version, "1\xEF\xBF\xBD");
    const auto snapshot = snapshot_ok(
        "<snapshot version=\"2\"><file name=\"bin\\se\xFFtup.exe\" size=\"3\"/></snapshot>");
    ASSERT_EQ(snapshot.files.size(), 1u);
    EXPECT_EQ(snapshot.files[0].name, "bin\\se\xEF\xBF\xBDtup.exe");
}

TEST(StatusDocument, NamesInAnyCase) {
    const auto elements =
        parse_ok("<packagestatus><STATUS>Ready</STATUS><VERSION>12</VERSION></packagestatus>");
    EXPECT_EQ(elements.status, "Ready");
    EXPECT_EQ(elements.version, "12");
    const auto attributes = parse_ok(R"(<PACKAGESTATUS Status="Invalid" VERSION="3"/>)");
    EXPECT_EQ(attributes.status, "Invalid");
    EXPECT_EQ(attributes.version, "3");
}

TEST(StatusDocument, TextIsTrimmedAndMayBeCdata) {
    const auto doc = parse_ok(
        "<PackageStatus><Status>\n   Ready \t\n</Status><Version><![CDATA[ 42 ]]></Version>"
        "</PackageStatus>");
    EXPECT_EQ(doc.status, "Ready");
    EXPECT_EQ(doc.version, "42");
}

TEST(StatusDocument, FirstNodeInDocumentOrderWins) {
    // The root's attributes come before its children in document order.
    const auto doc = parse_ok(
        R"(<PackageStatus status="Ready"><Status>Invalid</Status><Status>Pending</Status></PackageStatus>)");
    EXPECT_EQ(doc.status, "Ready");
    const auto elements =
        parse_ok("<PackageStatus><Status>Pending</Status><Status>Ready</Status></PackageStatus>");
    EXPECT_EQ(elements.status, "Pending");
}

TEST(StatusDocument, MissingNodesAreNullopt) {
    const auto doc = parse_ok(R"(<PackageStatus id="{x}"><Other>1</Other></PackageStatus>)");
    EXPECT_FALSE(doc.status);
    EXPECT_FALSE(doc.version);
}

TEST(StatusDocument, BlankValuesAreNullopt) {
    const auto doc = parse_ok(R"(<PackageStatus status="  "><Version/></PackageStatus>)");
    EXPECT_FALSE(doc.status);
    EXPECT_FALSE(doc.version);
}

TEST(StatusDocument, NestedElementsAreNotTheRootsStatus) {
    // Only the root's own attributes and children count with the default XPaths.
    const auto doc = parse_ok(R"(<PackageStatus><Detail status="Ready"/></PackageStatus>)");
    EXPECT_FALSE(doc.status);
}

TEST(StatusDocument, Utf8WithBom) {
    const auto doc = parse_ok("\xEF\xBB\xBF<PackageStatus status=\"Ready\" version=\"5\"/>");
    EXPECT_EQ(doc.status, "Ready");
    EXPECT_EQ(doc.version, "5");
}

TEST(StatusDocument, Utf16LittleEndianWithBom) {
    const std::string bytes = utf16_pret(false);
    ASSERT_EQ(bytes.substr(0, 4), std::string("\xFF\xFE<\0", 4));
    const auto doc = parse_ok(bytes);
    EXPECT_EQ(doc.status, "Pr\xC3\xAAt");  // UTF-8 out
    EXPECT_EQ(doc.version, "7");
}

TEST(StatusDocument, Utf16BigEndianWithBom) {
    const std::string bytes = utf16_pret(true);
    ASSERT_EQ(bytes.substr(0, 4), std::string("\xFE\xFF\0<", 4));
    const auto doc = parse_ok(bytes);
    EXPECT_EQ(doc.status, "Pr\xC3\xAAt");
    EXPECT_EQ(doc.version, "7");
}

TEST(StatusDocument, Utf16WithXmlDeclarationAndElements) {
    const auto doc = parse_ok(
        utf16("<?xml version=\"1.0\" encoding=\"UTF-16\"?>\r\n<PackageStatus><Status>Ready</Status>"
              "<Version>1601867730</Version></PackageStatus>",
              false));
    EXPECT_EQ(doc.status, "Ready");
    EXPECT_EQ(doc.version, "1601867730");
}

TEST(StatusDocument, MalformedReportsByteOffsetAndReason) {
    //                         0123456789012345678
    const std::string error = parse_error("<PackageStatus></Pack>");
    EXPECT_EQ(error.rfind("malformed XML at offset ", 0), 0u) << error;
    EXPECT_NE(error.find("offset 17:"), std::string::npos) << error;
    EXPECT_NE(error.find("Start-end tags mismatch"), std::string::npos) << error;
}

TEST(StatusDocument, MalformedUtf16OffsetIsABytOffsetIntoTheFile) {
    // Same document in UTF-16 LE with a BOM: offset 17 characters = 2 + 17 * 2 bytes.
    const std::string error = parse_error(utf16("<PackageStatus></Pack>", false));
    EXPECT_NE(error.find("offset 36:"), std::string::npos) << error;
}

TEST(StatusDocument, TruncatedIsMalformed) {
    const std::string full =
        "<PackageStatus><Status>Ready</Status><Version>1601867730</Version></PackageStatus>";
    for (const std::size_t length :
         {std::size_t{0}, std::size_t{1}, std::size_t{10}, std::size_t{30}, full.size() - 1}) {
        const std::string error = parse_error(full.substr(0, length));
        EXPECT_EQ(error.rfind("malformed XML at offset ", 0), 0u) << length << ": " << error;
    }
    EXPECT_NE(parse_error("<PackageStatus status=\"Rea").find("malformed XML"), std::string::npos);
}

TEST(StatusDocument, EmptyAndGarbageAreMalformed) {
    EXPECT_NE(parse_error("").find("No document element found"), std::string::npos);
    EXPECT_NE(parse_error("   \r\n").find("malformed XML"), std::string::npos);
    EXPECT_NE(parse_error("not xml at all <").find("malformed XML"), std::string::npos);
    EXPECT_NE(parse_error(std::string("\0\0\0\0", 4)).find("malformed XML"), std::string::npos);
}

TEST(StatusDocument, EntitiesAreNotExpanded) {
    const auto doc = parse_ok(
        "<!DOCTYPE PackageStatus [<!ENTITY ready \"Ready\">]>"
        "<PackageStatus status=\"&ready;\"/>");
    EXPECT_NE(doc.status, "Ready");
}

TEST(StatusDocument, OverTheConfiguredCap) {
    ParseConfig config;
    config.max_file_bytes = 10;
    EXPECT_EQ(parse_error(R"(<PackageStatus status="Ready"/>)", config),
              "file is 31 bytes, over the 10-byte cap");
}

TEST(StatusDocument, CustomXPaths) {
    ParseConfig config;
    config.status_xpath = "/Root/Info/@State";
    config.version_xpath = "//Revision";
    const auto doc = parse_ok(
        R"(<Root><Info State="Ready"/><Deep><Revision>99</Revision></Deep></Root>)", config);
    EXPECT_EQ(doc.status, "Ready");
    EXPECT_EQ(doc.version, "99");
}

TEST(StatusDocument, CustomXPathSelectingTextNode) {
    ParseConfig config;
    config.status_xpath = "/PackageStatus/Status/text()";
    const auto doc = parse_ok("<PackageStatus><Status> Ready </Status></PackageStatus>", config);
    EXPECT_EQ(doc.status, "Ready");
}

TEST(StatusDocument, BadXPathIsAnErrorNamingTheExpression) {
    ParseConfig config;
    config.status_xpath = "/PackageStatus[";
    const std::string error = parse_error(R"(<PackageStatus status="Ready"/>)", config);
    EXPECT_NE(error.find("invalid XPath '/PackageStatus['"), std::string::npos) << error;
}

// --- validate_xpath --------------------------------------------------------------------------

TEST(ValidateXPath, DefaultsAreValid) {
    const ParseConfig defaults;
    for (const std::string& expression :
         {defaults.status_xpath, defaults.version_xpath, defaults.snapshot_version_xpath,
          defaults.snapshot_file_xpath}) {
        const Status status = validate_xpath(expression);
        EXPECT_TRUE(status.ok()) << expression << ": "
                                 << (status.ok() ? "" : status.error().message);
    }
}

TEST(ValidateXPath, RejectsSyntaxErrorsNamingTheExpression) {
    for (const char* expression : {"/a[", "", "//*[", "@@x", "$undefined", "/a | 'x'"}) {
        const Status status = validate_xpath(expression);
        ASSERT_FALSE(status.ok()) << expression;
        EXPECT_NE(status.error().message.find(std::string("'") + expression + "'"),
                  std::string::npos)
            << status.error().message;
    }
}

TEST(ValidateXPath, RejectsExpressionsThatDoNotSelectNodes) {
    for (const char* expression : {"string(/a/@status)", "count(//a)", "1 = 1"}) {
        const Status status = validate_xpath(expression);
        ASSERT_FALSE(status.ok()) << expression;
        EXPECT_NE(status.error().message.find("not nodes"), std::string::npos)
            << status.error().message;
    }
}

// --- snapshot.xml ----------------------------------------------------------------------------

TEST(SnapshotDocument, AttributeForm) {
    const auto doc =
        snapshot_ok(R"(<Snapshot version="1601867730"><Files>)"
                    R"(<File name="setup.exe" size="2048"/><file Name="readme.txt" Size="0"/>)"
                    R"(</Files></Snapshot>)");
    EXPECT_EQ(doc.version, "1601867730");
    ASSERT_EQ(doc.files.size(), 2u);
    EXPECT_EQ(doc.files[0].name, "setup.exe");
    EXPECT_EQ(doc.files[0].size, 2048u);
    EXPECT_EQ(doc.files[1].name, "readme.txt");
    EXPECT_EQ(doc.files[1].size, 0u);
}

TEST(SnapshotDocument, ElementFormInAnyCase) {
    const auto doc = snapshot_ok(
        "<SNAPSHOT><Version> 5 </Version><FILES>"
        "<FILE><NAME>setup.exe</NAME><SIZE>2048</SIZE></FILE>"
        "<file><name> data.cab </name><size>\n18446744073709551615\n</size></file>"
        "</FILES></SNAPSHOT>");
    EXPECT_EQ(doc.version, "5");
    ASSERT_EQ(doc.files.size(), 2u);
    EXPECT_EQ(doc.files[0].name, "setup.exe");
    EXPECT_EQ(doc.files[1].name, "data.cab");
    EXPECT_EQ(doc.files[1].size, 18446744073709551615ull);
}

TEST(SnapshotDocument, VersionNamedPackageVersion) {
    EXPECT_EQ(
        snapshot_ok(R"(<Snapshot PackageVersion="7"><File name="a" size="1"/></Snapshot>)").version,
        "7");
}

TEST(SnapshotDocument, RelativePathsWithBackslashes) {
    const auto doc = snapshot_ok(
        R"(<snapshot><file name="bin\x64\tool.exe" size="1"/><file name="docs/a.txt" size="2"/>)"
        R"(<file name="\lead\sep.txt" size="3"/></snapshot>)");
    ASSERT_EQ(doc.files.size(), 3u);
    EXPECT_EQ(doc.files[0].name, "bin\\x64\\tool.exe");
    EXPECT_EQ(doc.files[1].name, "docs/a.txt");
    EXPECT_EQ(doc.files[2].name, "\\lead\\sep.txt");
}

TEST(SnapshotDocument, PathStandsInForAMissingName) {
    const auto doc = snapshot_ok(
        R"(<snapshot><file Path="sub\a.txt" size="1"/><file name="b.txt" path="ignored" size="2"/></snapshot>)");
    ASSERT_EQ(doc.files.size(), 2u);
    EXPECT_EQ(doc.files[0].name, "sub\\a.txt");
    EXPECT_EQ(doc.files[1].name, "b.txt");
}

TEST(SnapshotDocument, NoFilesAndNoVersion) {
    const auto doc = snapshot_ok("<snapshot/>");
    EXPECT_FALSE(doc.version);
    EXPECT_TRUE(doc.files.empty());
}

TEST(SnapshotDocument, FilesInDocumentOrder) {
    const auto doc = snapshot_ok(
        R"(<s><a><file name="1" size="1"/></a><file name="2" size="2"/><b><file name="3" size="3"/></b></s>)");
    ASSERT_EQ(doc.files.size(), 3u);
    EXPECT_EQ(doc.files[0].name, "1");
    EXPECT_EQ(doc.files[1].name, "2");
    EXPECT_EQ(doc.files[2].name, "3");
}

TEST(SnapshotDocument, BadSizesNameTheEntry) {
    for (const char* size : {"-1", "abc", "1.5", "", " ", "+5", "0x10", "18446744073709551616"}) {
        const std::string error = snapshot_error(
            std::string(R"(<s><file name="ok.txt" size="1"/><file name="setup.exe" size=")") +
            size + R"("/></s>)");
        EXPECT_NE(error.find("file entry 2 (setup.exe)"), std::string::npos)
            << size << ": " << error;
        EXPECT_NE(error.find("not a non-negative integer"), std::string::npos) << error;
    }
}

TEST(SnapshotDocument, MissingNameOrSize) {
    EXPECT_NE(snapshot_error(R"(<s><file size="1"/></s>)").find("file entry 1 has no name"),
              std::string::npos);
    EXPECT_NE(snapshot_error(R"(<s><file name=" " size="1"/></s>)").find("has no name"),
              std::string::npos);
    EXPECT_NE(
        snapshot_error(R"(<s><file name="a.txt"/></s>)").find("file entry 1 (a.txt) has no size"),
        std::string::npos);
}

TEST(SnapshotDocument, NamesLeavingTheCacheAreErrors) {
    for (const char* name : {"..\\..\\Windows\\win.ini", "a/../../b", "C:\\x.txt",
                             "file.txt:stream", "\\\\server\\share\\x", "\\", "."}) {
        const std::string error =
            snapshot_error(std::string(R"(<s><file name=")") + name + R"(" size="1"/></s>)");
        EXPECT_NE(error.find("file entry 1"), std::string::npos) << name << ": " << error;
    }
}

TEST(SnapshotDocument, CustomFileXPath) {
    ParseConfig config;
    config.snapshot_file_xpath = "/manifest/item";
    config.snapshot_version_xpath = "/manifest/@rev";
    const auto doc = snapshot_ok(
        R"(<manifest rev="9"><item NAME="a.bin" SIZE="4"/><other name="x" size="zz"/></manifest>)",
        config);
    EXPECT_EQ(doc.version, "9");
    ASSERT_EQ(doc.files.size(), 1u);
    EXPECT_EQ(doc.files[0].name, "a.bin");
    EXPECT_EQ(doc.files[0].size, 4u);
}

TEST(SnapshotDocument, FileXPathSelectingAttributesIsAnError) {
    ParseConfig config;
    config.snapshot_file_xpath = "//file/@name";
    EXPECT_NE(snapshot_error(R"(<s><file name="a" size="1"/></s>)", config).find("not an element"),
              std::string::npos);
}

TEST(SnapshotDocument, Utf16AndMalformed) {
    const auto doc =
        snapshot_ok(utf16(R"(<snapshot version="3"><file name="a" size="1"/></snapshot>)", true));
    EXPECT_EQ(doc.version, "3");
    ASSERT_EQ(doc.files.size(), 1u);
    EXPECT_NE(
        snapshot_error("<snapshot><file name=\"a\" size=\"1\"></snapshot>").find("malformed XML"),
        std::string::npos);
}

// --- read_file_capped ------------------------------------------------------------------------

TEST(ReadFileCapped, ReadsExactBytes) {
    TempTree tree;
    const std::string bytes("\xFF\xFE<\0a\0\r\n\0\x01", 10);
    const auto path = tree.write("f.xml", bytes);
    auto read = read_file_capped(path, 100);
    ASSERT_TRUE(read.ok()) << read.error().message;
    EXPECT_EQ(read.value(), bytes);
    auto exact = read_file_capped(path, bytes.size());
    ASSERT_TRUE(exact.ok());
    auto empty = read_file_capped(tree.write("empty.xml", ""), 0);
    ASSERT_TRUE(empty.ok());
    EXPECT_TRUE(empty.value().empty());
}

TEST(ReadFileCapped, RefusesFilesOverTheCap) {
    TempTree tree;
    const auto path = tree.write("big.xml", "");
    std::filesystem::resize_file(path, 9437184);  // sparse where supported: cheap
    auto read = read_file_capped(path, 8388608);
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.error().message, "file is 9437184 bytes, over the 8388608-byte cap");
    auto small = read_file_capped(tree.write("small.xml", "12345"), 4);
    ASSERT_FALSE(small.ok());
    EXPECT_EQ(small.error().message, "file is 5 bytes, over the 4-byte cap");
}

TEST(ReadFileCapped, MissingAndFoldersAreErrors) {
    TempTree tree;
    EXPECT_FALSE(read_file_capped(tree / "missing.xml", 100).ok());
    tree.mkdir("folder");
    EXPECT_FALSE(read_file_capped(tree / "folder", 100).ok());
}

TEST(ReadFileCapped, NeverFollowsASymlink) {
    TempTree tree;
    const auto target = tree.write("real.xml", "<a/>");
    PSGUARD_LINK_OR_SKIP(test::make_file_symlink(target, tree / "link.xml"));
    auto read = read_file_capped(tree / "link.xml", 100);
    ASSERT_FALSE(read.ok());
    EXPECT_NE(read.error().message.find("not followed"), std::string::npos) << read.error().message;
}

// One DocumentParser serves a whole scan: the same answers and errors as the one-shot functions,
// document after document, whatever came before.
TEST(DocumentParser, ReusedForManyDocumentsAnswersAsTheOneShotFunctions) {
    const ParseConfig config;
    const DocumentParser parser(config);
    const std::vector<std::string> status_documents = {
        "<PackageStatus status=\"Ready\" version=\"7\"/>",
        "<PackageStatus><Status> Invalid </Status><VERSION>8</VERSION></PackageStatus>",
        utf16("<PackageStatus status=\"Ready\" version=\"9\"/>", false),
        "<PackageStatus status=\"Ready\"",  // truncated
        "<PackageStatus/>",
    };
    for (int round = 0; round < 2; ++round) {
        for (const std::string& bytes : status_documents) {
            const auto reused = parser.parse_status(bytes);
            const auto once = parse_status_document(bytes, config);
            ASSERT_EQ(reused.ok(), once.ok()) << bytes;
            if (once) {
                EXPECT_EQ(reused->status, once->status) << bytes;
                EXPECT_EQ(reused->version, once->version) << bytes;
            } else {
                EXPECT_EQ(reused.error().message, once.error().message);
            }
        }
    }
    const std::string snapshot =
        "<snapshot version=\"5\"><file name=\"a.msi\" size=\"3\"/><File><Name>b\\c.dll</Name>"
        "<Size>4</Size></File></snapshot>";
    for (int round = 0; round < 2; ++round) {
        const auto reused = parser.parse_snapshot(snapshot);
        ASSERT_TRUE(reused) << reused.error().message;
        EXPECT_EQ(reused->version, "5");
        ASSERT_EQ(reused->files.size(), 2u);
        EXPECT_EQ(reused->files[1].name, "b\\c.dll");
        EXPECT_EQ(reused->files[1].size, 4u);
    }
    const auto bad =
        parser.parse_snapshot("<snapshot><file name=\"..\\x\" size=\"1\"/></snapshot>");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("leaves the cache folder"), std::string::npos)
        << bad.error().message;
}

TEST(DocumentParser, AnInvalidXPathFailsEveryParseNamingIt) {
    ParseConfig config;
    config.version_xpath = "/PackageStatus[";
    const DocumentParser parser(config);
    for (int round = 0; round < 3; ++round) {
        const auto parsed = parser.parse_status("<PackageStatus status=\"Ready\"/>");
        ASSERT_FALSE(parsed);
        EXPECT_NE(parsed.error().message.find("invalid XPath '/PackageStatus['"), std::string::npos)
            << parsed.error().message;
    }
    // The other documents' XPaths are still fine.
    EXPECT_TRUE(parser.parse_snapshot("<snapshot version=\"1\"/>"));
}

}  // namespace
}  // namespace psguard
