// `psguard collect` end to end: the real binary, a package tree and an agent log full of names a
// site would not want to send, the real NS emulator over TLS. The archive is opened with the
// zip reader that did not write it (Python's zipfile, which also checks every entry's CRC) and
// every byte of every entry is searched for the names.
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "core/ascii.hpp"
#include "integration/package_tree.hpp"
#include "support/child_process.hpp"
#include "support/ns_emulator.hpp"
#include "support/temp_dir.hpp"

namespace psguard::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string kStalePackage = "{6C821F5E-1234-4ABC-9DEF-0123456789AB}";
const std::string kHealthyPackage = "{6d417916-1234-4abc-9def-0123456789ab}";
const std::string kSecretHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

// Every name below must be gone from the archive.
const std::vector<std::string> kOriginals = {
    "AcmeSite",        "PSACMEBRANCH7",         "ACMECORP",  "svc-acme-pkg",
    "Payroll",         "acme-payroll-setup",    "AcmeStore", "AcmeLogs",
    "acme-hr-tools",   "Finance Reader Deluxe", kSecretHash, "ACMEHOST42",
    "acmecorp.example"};

// The entries as Python's zipfile reads them (hex on the wire: entries may be binary).
std::map<std::string, std::string> open_archive(const fs::path& file) {
    ChildProcess reader({"python3", "-c",
                         "import json, sys, zipfile\n"
                         "with zipfile.ZipFile(sys.argv[1]) as z:\n"
                         "    assert z.testzip() is None, 'bad CRC'\n"
                         "    print(json.dumps({i.filename: z.read(i).hex() for i in "
                         "z.infolist()}))",
                         file.string()});
    const auto code = reader.wait(60s);
    EXPECT_EQ(code, 0) << reader.stderr_text();
    std::map<std::string, std::string> entries;
    if (code != 0) {
        return entries;
    }
    const auto listing = nlohmann::json::parse(reader.stdout_text());
    for (auto item = listing.begin(); item != listing.end(); ++item) {
        std::string bytes;
        const auto digits = item->get<std::string>();
        for (std::size_t i = 0; i + 1 < digits.size(); i += 2) {
            bytes.push_back(static_cast<char>(std::stoi(digits.substr(i, 2), nullptr, 16)));
        }
        entries[item.key()] = std::move(bytes);
    }
    return entries;
}

// "May 16 11:51:05" for now, as the agent writes its dates.
std::string agent_date() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char text[32];
    std::strftime(text, sizeof(text), "%b %d %H:%M:%S", &tm);
    return text;
}

class CollectCommand : public ::testing::Test {
  protected:
    CollectCommand() : root_(dir_ / "AcmeSite"), tree_(root_) {
        tree_.add({.guid = kStalePackage, .cache_files = {{"acme-payroll-setup.exe", 64}}});
        tree_.add({.guid = kHealthyPackage, .cache_files = {{"tools/acme-hr-tools.msi", 32}}});
        tree_.write_snapshot(kStalePackage,
                             "<Snapshot version=\"1601867730\"><Files><File "
                             "name=\"acme-payroll-setup.exe\" size=\"64\" hash=\"" +
                                 kSecretHash + "\"/></Files></Snapshot>");
        fs::create_directories(root_ / "AcmeLogs");
        std::ofstream(root_ / "AcmeLogs" / "agent.log")
            << "<event date='" << agent_date()
            << "' severity='2' hostName='ACMEHOST42' source='CreateDirectoryPath' "
               "module='AeXNSAgent.exe' process='AeXNSAgent.exe' pid='724' thread='1740' "
               "tickCount='495844828' >\n<![CDATA[Cannot create directory: 0x80070005 [Access is "
               "denied] D:\\AcmeStore\\Payroll]]>\n</event>\n";
    }

    nlohmann::json config_for(const NsEmulator& ns) const {
        return {{"package_server", {{"name", "PSACMEBRANCH7"}}},
                {"credential_account", "ACMECORP\\svc-acme-pkg"},
                {"paths",
                 {{"package_delivery", tree_.delivery().string()},
                  {"package_status", tree_.status().string()},
                  {"state_dir", (root_ / "state").string()},
                  {"storage_roots", {(root_ / "AcmeStore").string()}}}},
                {"evidence", {{"log_dir", (root_ / "AcmeLogs").string()}}},
                {"ns",
                 {{"url", ns.url()},
                  {"report_guid", kReportGuid},
                  {"ca_file", ns.ca_file().string()},
                  {"timeout_seconds", 5},
                  {"max_retries", 0}}}};
    }

    nlohmann::json scenario() const {
        return {{"server", "PSACMEBRANCH7"},
                {"report_guid", kReportGuid},
                {"auth", {{"type", "none"}}},
                {"fault", "none"},
                {"packages",
                 {{{"guid", kStalePackage},
                   {"name", "Payroll acmecorp.example"},
                   {"status", "Invalid"},
                   {"ns_version", "1601867730"},
                   {"reported_version", "1601867730"}},
                  {{"guid", kHealthyPackage},
                   {"name", "Finance Reader Deluxe"},
                   {"status", "Ready"},
                   {"ns_version", "1601867730"},
                   {"reported_version", "1601867730"}}}}};
    }

    struct Outcome {
        int code = -1;
        std::string out;
        std::string err;
    };
    Outcome collect(const NsEmulator& ns, const fs::path& out,
                    std::vector<std::string> extra = {}) {
        const fs::path file = root_ / "psguard.json";
        std::ofstream(file) << config_for(ns).dump(2);
        std::vector<std::string> argv = {PSGUARD_BINARY_PATH, "collect", "--config",
                                         file.string(),       "--out",   out.string()};
        argv.insert(argv.end(), extra.begin(), extra.end());
        ChildProcess process(std::move(argv));
        const auto code = process.wait(60s);
        return {code.value_or(-1), process.stdout_text(), process.stderr_text()};
    }

    TempDir dir_{"psguard-collect"};
    fs::path root_;
    PackageTree tree_;
};

TEST_F(CollectCommand, WritesOneAnonymisedArchiveAndListsIt) {
    NsEmulator ns(scenario());
    const fs::path out = dir_ / "bundle.zip";
    const Outcome result = collect(ns, out);
    ASSERT_EQ(result.code, 0) << result.err << result.out;
    EXPECT_NE(result.out.find("wrote " + out.string() + " ("), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("report.json"), std::string::npos) << result.out;

    const auto entries = open_archive(out);
    for (const char* name : {"README.txt", "version.txt", "config.json", "detected.json",
                             "report.json", "evidence.txt", "ns-answer.json", "ns-answer.xml"}) {
        EXPECT_TRUE(entries.contains(name)) << name;
    }
    // No original name, path component or account name survives, in any case.
    for (const auto& [name, bytes] : entries) {
        const std::string lower = ascii_lower(name + "\n" + bytes);
        for (const std::string& original : kOriginals) {
            EXPECT_EQ(lower.find(ascii_lower(original)), std::string::npos)
                << original << " survives in " << name << ":\n"
                << bytes.substr(0, 4000);
        }
        EXPECT_EQ(lower.find(ascii_lower(dir_.path().filename().string())), std::string::npos)
            << "the temporary folder's name survives in " << name;
    }

    // The shape stays: the NS columns by name, the rows counted, the samples' XML names.
    const auto ns_json = nlohmann::json::parse(entries.at("ns-answer.json"));
    EXPECT_EQ(ns_json["rows_total"], 2);
    EXPECT_EQ(ns_json["rows_kept"], 2);
    const auto columns = ns_json["columns"].get<std::vector<std::string>>();
    EXPECT_NE(std::find(columns.begin(), columns.end(), "Package Name"), columns.end());
    EXPECT_NE(std::find(columns.begin(), columns.end(), "Package GUID"), columns.end());
    const std::string sample_name = "samples/{6c821f5e-1234-4abc-9def-0123456789ab}/snapshot.xml";
    ASSERT_TRUE(entries.contains(sample_name));
    const std::string& sample = entries.at(sample_name);
    EXPECT_NE(sample.find("<Snapshot version=\"1601867730\">"), std::string::npos) << sample;
    EXPECT_NE(sample.find("<File name=\"file-"), std::string::npos) << sample;
    EXPECT_NE(sample.find(".exe\" size=\"64\" hash=\"hash-"), std::string::npos) << sample;
    // The verdicts and the evidence's kind stay readable; the GUIDs are kept by default.
    const std::string& report = entries.at("report.json");
    EXPECT_NE(report.find("stale_on_ns"), std::string::npos);
    EXPECT_NE(report.find(kHealthyPackage), std::string::npos);
    EXPECT_NE(entries.at("evidence.txt").find("access_denied"), std::string::npos);
    EXPECT_NE(entries.at("evidence.txt").find("D:\\dir-"), std::string::npos)
        << entries.at("evidence.txt");
}

TEST_F(CollectCommand, HideGuidsReplacesThemEverywhere) {
    NsEmulator ns(scenario());
    const fs::path out = dir_ / "hidden.zip";
    const Outcome result = collect(ns, out, {"--hide-guids"});
    ASSERT_EQ(result.code, 0) << result.err;
    for (const auto& [name, bytes] : open_archive(out)) {
        const std::string lower = ascii_lower(name + "\n" + bytes);
        EXPECT_EQ(lower.find("6c821f5e-1234"), std::string::npos) << name << ":\n" << bytes;
        EXPECT_EQ(lower.find("6d417916-1234"), std::string::npos) << name << ":\n" << bytes;
    }
}

TEST_F(CollectCommand, AnUnreachableNsStillGivesABundleSayingWhy) {
    std::string url;
    {
        NsEmulator ns(scenario());
        url = ns.url();
    }
    NsEmulator ns(scenario());
    nlohmann::json config = config_for(ns);
    config["ns"]["url"] = url;  // the first emulator is gone: nothing listens there
    const fs::path file = root_ / "psguard.json";
    std::ofstream(file) << config.dump(2);
    const fs::path out = dir_ / "down.zip";
    ChildProcess process(
        {PSGUARD_BINARY_PATH, "collect", "--config", file.string(), "--out", out.string()});
    ASSERT_EQ(process.wait(60s).value_or(-1), 0) << process.stderr_text();
    const auto entries = open_archive(out);
    const auto ns_json = nlohmann::json::parse(entries.at("ns-answer.json"));
    EXPECT_TRUE(ns_json["error"].is_string());
    EXPECT_FALSE(entries.contains("ns-answer.xml"));
}

}  // namespace
}  // namespace psguard::test
