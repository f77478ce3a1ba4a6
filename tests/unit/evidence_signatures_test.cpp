#include "evidence/log_signatures.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace psguard {
namespace {

std::string kind_of(std::string_view message) {
    const Signature* signature = match_signature(message);
    return signature == nullptr ? std::string("none") : std::string(to_string(signature->kind));
}

TEST(LogSignatures, TheKbLinesAreAccessDenied) {
    EXPECT_EQ(kind_of("Cannot create directory: 0x80070005 [Access is denied] d:"),
              "access_denied");
    EXPECT_EQ(kind_of("Error while copying event to capture directory: Access is denied "
                      "(-2147024891)"),
              "access_denied");
    // Each of the three forms alone.
    EXPECT_EQ(kind_of("hr=0x80070005"), "access_denied");
    EXPECT_EQ(kind_of("failed (-2147024891)"), "access_denied");
    EXPECT_EQ(kind_of("ACCESS IS DENIED"), "access_denied");
}

TEST(LogSignatures, TrustFailures) {
    EXPECT_EQ(kind_of("The trust relationship between this workstation and the primary domain "
                      "failed."),
              "trust_failure");
    EXPECT_EQ(kind_of("LogonUser failed with error 1789"), "trust_failure");
    EXPECT_EQ(kind_of("hr=0x800706FD"), "trust_failure");
    EXPECT_EQ(kind_of("processed 17890 items"), "none") << "whole token only";
}

TEST(LogSignatures, UnauthorizedWhilePosting) {
    EXPECT_EQ(kind_of("PostEvent.aspx returned HTTP 401"), "unauthorized");
    EXPECT_EQ(kind_of("Server response: status 401 (Unauthorized)"), "unauthorized");
    EXPECT_EQ(kind_of("The request was unauthorised"), "unauthorized");
    EXPECT_EQ(kind_of("wrote 401 bytes"), "none") << "a bare 401 is not enough";
    EXPECT_EQ(kind_of("HTTP error 4012"), "none");
}

TEST(LogSignatures, PackageProblems) {
    EXPECT_EQ(kind_of("Failed to download package {6C821F5E-1D2A-4C3B-9E8F-0A1B2C3D4E5F}"),
              "download_error");
    EXPECT_EQ(kind_of("Unable to verify snapshot for package"), "snapshot_error");
    EXPECT_EQ(kind_of("Cannot open snapshot.xml: 0x80070020"), "file_locked");
    EXPECT_EQ(kind_of("The filename or extension is too long"), "path_too_long");
    EXPECT_EQ(kind_of("Snapshot updated"), "none");
    EXPECT_EQ(kind_of("Download complete"), "none");
}

// The knowledge base's messages (KB 158750, 163475, 181405, 422201), as the agent words them.
TEST(LogSignatures, KnowledgeBaseSymptoms) {
    EXPECT_EQ(kind_of("CAeXNSCPkgSvr::Start failed. IMSAdminBase->OpenKey failed. Meta Path "
                      "/lm/w3svc/1/root/. The system cannot find the path specified.."),
              "package_server_not_started");
    EXPECT_EQ(kind_of("Failed to start object Altiris.AeXNSCPkgSvr: The system cannot find the "
                      "path specified. (-2147024893)"),
              "package_server_not_started");
    EXPECT_EQ(kind_of("Starting client object: Altiris.AeXNSCPkgSvr"), "none");
    // Download errors with a known cause are that cause, not a bare download_error.
    EXPECT_EQ(kind_of("Error while downloading package: Server is busy. Package sources request "
                      "is backing off (-2147467259)."),
              "server_busy");
    EXPECT_EQ(kind_of("Error while downloading package: The version of the package on the "
                      "server(1601867730) is older than required(1601954124) (0x80004005)"),
              "version_older");
    EXPECT_EQ(kind_of("Error code: {Partial Data Received}\nThe network transport returned "
                      "partial data to its client. The remaining data will be sent later "
                      "(0x000002C3)"),
              "partial_data");
    EXPECT_EQ(kind_of("Download of {6d417916-467c-46a7-a870-6d86d9345b61} ended: 0x000002c3"),
              "partial_data");
    // The lock in its short form, alone, and the KB's whole line.
    EXPECT_EQ(kind_of("Failed to perform file operation 'create' on snapshot.xml (0x00000020)"),
              "file_locked");
    EXPECT_EQ(kind_of("Failed to perform file operation 'create' on \"C:\\Program "
                      "Files\\Altiris\\Altiris Agent\\Package "
                      "Delivery\\{6d417916-467c-46a7-a870-6d86d9345b61}\\snapshot.xml\" with "
                      "retries: The process cannot access the file because it is being used by "
                      "another process (0x00000020)"),
              "file_locked");
    EXPECT_EQ(kind_of("flags 0x000000201 set"), "none") << "whole token only";
}

TEST(LogSignatures, FirstRowWins) {
    // Access denied while downloading is an access problem first.
    EXPECT_EQ(kind_of("Download failed: Access is denied"), "access_denied");
    // A trust failure reported as access denied is the trust failure.
    EXPECT_EQ(kind_of("Access denied: the trust relationship failed"), "trust_failure");
}

TEST(LogSignatures, TheTableIsWellFormed) {
    std::set<std::string> kinds;
    for (const Signature& signature : log_signatures()) {
        EXPECT_TRUE(kinds.insert(to_string(signature.kind)).second)
            << "duplicate " << to_string(signature.kind);
        EXPECT_FALSE(signature.any_of.empty()) << to_string(signature.kind);
        EXPECT_FALSE(signature.meaning.empty()) << to_string(signature.kind);
        for (const auto& group : signature.any_of) {
            EXPECT_FALSE(group.empty()) << to_string(signature.kind);
            for (const SignatureTerm& term : group) {
                EXPECT_EQ(term.text.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ&#"),
                          std::string::npos)
                    << to_string(signature.kind) << ": " << term.text;
            }
        }
    }
    EXPECT_TRUE(kinds.count("access_denied"));
    EXPECT_TRUE(kinds.count("trust_failure"));
    EXPECT_TRUE(kinds.count("unauthorized"));
}

TEST(LogSignatures, ReportingContext) {
    EXPECT_TRUE(is_reporting_context("EventTransport", "anything"));
    EXPECT_TRUE(is_reporting_context("X", "Error while copying event to capture directory"));
    EXPECT_TRUE(is_reporting_context("X", "PostEvent.aspx failed"));
    EXPECT_FALSE(is_reporting_context("CreateDirectoryPath", "Cannot create directory"));
}

TEST(LogSignatures, PackageGuids) {
    EXPECT_EQ(extract_package_guid("package {6C821F5E-1D2A-4C3B-9E8F-0A1B2C3D4E5F} failed"),
              "{6c821f5e-1d2a-4c3b-9e8f-0a1b2c3d4e5f}");
    EXPECT_EQ(extract_package_guid("id=6d417916-aaaa-bbbb-cccc-0123456789ab."),
              "{6d417916-aaaa-bbbb-cccc-0123456789ab}");
    EXPECT_EQ(extract_package_guid("d:\\Package Delivery\\{6D417916-AAAA-BBBB-CCCC-0123456789AB}"
                                   "\\snapshot.xml"),
              "{6d417916-aaaa-bbbb-cccc-0123456789ab}");
    EXPECT_FALSE(extract_package_guid("6d417916-aaaa-bbbb-cccc-0123456789abc"));  // too long
    EXPECT_FALSE(extract_package_guid("16d417916-aaaa-bbbb-cccc-0123456789ab"));
    EXPECT_FALSE(extract_package_guid("no guid here"));
}

TEST(LogSignatures, Paths) {
    EXPECT_EQ(extract_path("Cannot create directory: 0x80070005 [Access is denied] d:"), "d:");
    EXPECT_EQ(extract_path("Cannot create C:\\Program Files\\Altiris\\Altiris Agent\\Package "
                           "Delivery\\{6C821F5E-1D2A-4C3B-9E8F-0A1B2C3D4E5F}: Access is denied"),
              "C:\\Program Files\\Altiris\\Altiris Agent\\Package "
              "Delivery\\{6C821F5E-1D2A-4C3B-9E8F-0A1B2C3D4E5F}");
    EXPECT_EQ(extract_path("Failed to open 'D:\\Store\\x y\\snapshot.xml' (0x80070005)"),
              "D:\\Store\\x y\\snapshot.xml");
    EXPECT_EQ(extract_path("copy to \\\\fs01\\share\\pkg failed, retrying"),
              "\\\\fs01\\share\\pkg failed");
    EXPECT_EQ(extract_path("open /opt/altiris/notification/nsagent/var/x.xml (errno 13)"),
              "/opt/altiris/notification/nsagent/var/x.xml");
    EXPECT_EQ(extract_path("Cannot write d:/pkgs/a.txt."), "d:/pkgs/a.txt");
    // Not paths: a URL, an error code, "Error:".
    EXPECT_FALSE(extract_path("https://ns01/Altiris/NS/Agent/PostEvent.aspx: Error: 0x80070005"));
    EXPECT_FALSE(
        extract_path("Error while copying event to capture directory: Access is denied "
                     "(-2147024891)"));
    EXPECT_FALSE(extract_path("mode a: something else follows"));
}

}  // namespace
}  // namespace psguard
