// psguard-ps-simulator end to end: the real simulator process, a real package tree on disk, the
// real NS emulator over TLS. As root, the Package Service account is the real `nobody` account
// and the kernel decides what it may write (mode bits, group, POSIX ACL).
#include <gtest/gtest.h>

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <climits>
#include <ctime>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "support/child_process.hpp"
#include "support/https_client.hpp"
#include "support/ns_emulator.hpp"
#include "support/temp_dir.hpp"

namespace psguard::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using nlohmann::json;

const std::string kReportGuid = "{a1b2c3d4-0000-4000-8000-000000000001}";
const std::string kFirst = "{6C821F5E-1234-4ABC-9DEF-0123456789AB}";
const std::string kSecond = "{0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9}";
const std::string kThird = "{22222222-3333-4444-8555-666666666666}";
const std::string kNewVersion = "1601867730";
const std::string kOldVersion = "1601860000";

std::string lower(std::string text) {
    for (char& c : text) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return text;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

void write_file(const fs::path& path, const std::string& bytes) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
    ASSERT_TRUE(out.flush()) << path;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

std::vector<std::string> names_in(const fs::path& folder) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(folder)) {
        names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

// Whether an ordinary account can reach `path`: every folder above it searchable by others.
bool others_can_reach(const fs::path& path) {
    for (fs::path at = fs::absolute(path).parent_path();; at = at.parent_path()) {
        struct stat info {};
        if (::stat(at.c_str(), &info) != 0 || (info.st_mode & S_IXOTH) == 0) {
            return false;
        }
        if (at == at.root_path()) {
            return true;
        }
    }
}

// One row of the NS verification report, as the NS would answer psguard.
struct NsRow {
    std::string status;
    std::string reported_version;  // empty when DBNull
};

json ns_package(const std::string& guid, const std::string& status = "Invalid") {
    return {{"guid", guid},
            {"name", "Package " + guid.substr(1, 8)},
            {"status", status},
            {"ns_version", kNewVersion},
            {"reported_version", kOldVersion}};
}

json scenario(json packages) {
    return {{"server", "PS01"},
            {"report_guid", kReportGuid},
            {"auth", {{"type", "none"}}},
            {"packages", std::move(packages)},
            {"fault", "none"}};
}

struct ManifestEntry {
    std::string guid;
    std::vector<std::pair<std::string, std::uint64_t>> files = {{"setup.exe", 2048}};
};

struct RunResult {
    int exit_code = -1;
    pid_t pid = -1;
    std::string out;
    std::string err;

    // The JSON lines of stdout, by GUID.
    std::map<std::string, json> by_guid() const {
        std::map<std::string, json> lines;
        for (const auto& line : lines_of(out)) {
            const json parsed = json::parse(line);
            lines[parsed.at("guid").get<std::string>()] = parsed;
        }
        return lines;
    }
};

class PsSimulator : public ::testing::Test {
  protected:
    PsSimulator()
        : delivery_(dir_ / "Package Delivery"),
          status_(dir_ / "Package Server Agent" / "PackageStatus") {
        fs::create_directories(delivery_);
        fs::create_directories(status_);
    }

    // The manifest: the agent's knowledge of what it holds.
    fs::path write_manifest(const std::vector<ManifestEntry>& entries) {
        json packages = json::array();
        for (const auto& entry : entries) {
            json files = json::array();
            for (const auto& [name, size] : entry.files) {
                files.push_back({{"name", name}, {"size", size}});
            }
            packages.push_back({{"guid", entry.guid}, {"version", kNewVersion}, {"files", files}});
        }
        const fs::path file = dir_ / "manifest.json";
        std::ofstream(file) << json{{"packages", packages}}.dump(2);
        return file;
    }

    // A package's delivered cache (no snapshot.xml), in the folder spelling given.
    void add_cache(const std::string& folder,
                   const std::vector<std::pair<std::string, std::uint64_t>>& files = {
                       {"setup.exe", 2048}}) {
        fs::create_directories(delivery_ / folder / "cache");
        for (const auto& [name, size] : files) {
            write_file(delivery_ / folder / "cache" / name, std::string(size, 'x'));
        }
    }

    std::vector<std::string> base_args(const NsEmulator& ns, const fs::path& manifest) const {
        return {PSGUARD_PS_SIMULATOR_PATH,
                "refresh",
                "--manifest",
                manifest.string(),
                "--delivery",
                delivery_.string(),
                "--status",
                status_.string(),
                "--ns-url",
                ns.url(),
                "--ca-file",
                ns.ca_file().string(),
                "--server",
                "PS01"};
    }

    static RunResult run_argv(std::vector<std::string> argv) {
        ChildProcess process(std::move(argv));
        const auto code = process.wait(30s);
        EXPECT_TRUE(code.has_value()) << "the simulator did not finish";
        return RunResult{code.value_or(-1), process.pid(), process.stdout_text(),
                         process.stderr_text()};
    }

    RunResult run(const NsEmulator& ns, const fs::path& manifest,
                  const std::vector<std::string>& extra = {}) const {
        std::vector<std::string> argv = base_args(ns, manifest);
        argv.insert(argv.end(), extra.begin(), extra.end());
        return run_argv(std::move(argv));
    }

    // What the NS verification report now says for PS01, keyed by lower-case bare GUID.
    static std::map<std::string, NsRow> ns_rows(const NsEmulator& ns) {
        const ClientResponse response =
            post_form(ns.request(), std::string(NsEmulator::kReportPath),
                      "reportItemGuid=" + form_encode(kReportGuid) +
                          "&nameValuePairs=" + form_encode("PackageServer=PS01"));
        EXPECT_TRUE(response.ok()) << response.error.message();
        EXPECT_EQ(response.status, 200u) << response.body;
        pugi::xml_document document;
        EXPECT_TRUE(document.load_string(response.body.c_str())) << response.body;
        std::map<std::string, NsRow> rows;
        for (const auto& table : document.select_nodes("//*[local-name()='Table']")) {
            const pugi::xml_node row = table.node();
            rows[row.child_value("Package_x0020_GUID")] =
                NsRow{row.child_value("Status"),
                      row.child_value("Version_x0020_Last_x0020_Reported_x0020_by_x0020_PS")};
        }
        return rows;
    }

    static NsRow ns_row(const NsEmulator& ns, const std::string& guid) {
        const auto rows = ns_rows(ns);
        const auto found = rows.find(lower(guid.substr(1, 36)));
        EXPECT_NE(found, rows.end()) << guid;
        return found == rows.end() ? NsRow{} : found->second;
    }

    static std::string snapshot_text(
        const std::vector<std::pair<std::string, std::string>>& files) {
        std::string xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<snapshot version=\"" +
                          kNewVersion + "\">\n";
        for (const auto& [name, size] : files) {
            xml += "  <file name=\"" + name + "\" size=\"" + size + "\"/>\n";
        }
        return xml + "</snapshot>\n";
    }

    static std::string status_text(const std::string& guid) {
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<PackageStatus id=\"" + guid +
               "\" status=\"Ready\" version=\"" + kNewVersion + "\"/>\n";
    }

    TempDir dir_{"psguard-sim"};
    fs::path delivery_;
    fs::path status_;
};

json line(const std::string& guid, std::vector<std::string> rebuilt, bool reported) {
    return {{"guid", guid}, {"rebuilt", rebuilt}, {"reported", reported}, {"error", nullptr}};
}

TEST_F(PsSimulator, RebuildsMissingFilesWithExactContent) {
    // The delivery folder exists in lower case; the status folder does not exist at all.
    const std::string folder = lower(kFirst);
    add_cache(folder, {{"setup.exe", 2048}, {"R&D <x64>.cab", 10}});
    const auto manifest = write_manifest({{kFirst, {{"setup.exe", 2048}, {"R&D <x64>.cab", 10}}}});
    NsEmulator ns(scenario({ns_package(kFirst)}));

    const RunResult result = run(ns, manifest);

    EXPECT_EQ(result.exit_code, 0) << result.err;
    ASSERT_EQ(lines_of(result.out).size(), 1u) << result.out;
    // Keys in the documented order, on one line.
    EXPECT_EQ(
        lines_of(result.out)[0],
        R"({"guid":")" + kFirst +
            R"(","rebuilt":["snapshot.xml","PackageStatus.xml"],"reported":true,"error":null})");
    EXPECT_EQ(read_file(delivery_ / folder / "snapshot.xml"),
              snapshot_text({{"setup.exe", "2048"}, {"R&amp;D &lt;x64&gt;.cab", "10"}}));
    // The existing folder is used whatever its case; the new one takes the manifest's case.
    EXPECT_EQ(names_in(delivery_), std::vector<std::string>{folder});
    EXPECT_EQ(names_in(delivery_ / folder), (std::vector<std::string>{"cache", "snapshot.xml"}));
    EXPECT_EQ(names_in(status_), std::vector<std::string>{kFirst});
    EXPECT_EQ(names_in(status_ / kFirst), std::vector<std::string>{"PackageStatus.xml"});
    EXPECT_EQ(read_file(status_ / kFirst / "PackageStatus.xml"), status_text(kFirst));
}

TEST_F(PsSimulator, RefreshTurnsTheNsAnswerReady) {
    add_cache(kFirst);
    add_cache(kSecond);
    // An existing status folder in another case is the one written to.
    fs::create_directories(status_ / lower(kSecond));
    const auto manifest = write_manifest({{kFirst}, {kSecond}});
    NsEmulator ns(scenario({ns_package(kFirst, "Invalid"), ns_package(kSecond, "Pending")}));
    ASSERT_EQ(ns_row(ns, kFirst).status, "Invalid");
    ASSERT_EQ(ns_row(ns, kSecond).status, "Pending");

    const RunResult result = run(ns, manifest);

    EXPECT_EQ(result.exit_code, 0) << result.err;
    const auto lines = result.by_guid();
    EXPECT_EQ(lines.at(kFirst), line(kFirst, {"snapshot.xml", "PackageStatus.xml"}, true));
    EXPECT_EQ(lines.at(kSecond), line(kSecond, {"snapshot.xml", "PackageStatus.xml"}, true));
    EXPECT_EQ(ns_row(ns, kFirst).status, "Ready");
    EXPECT_EQ(ns_row(ns, kFirst).reported_version, kNewVersion);
    EXPECT_EQ(ns_row(ns, kSecond).status, "Ready");
    EXPECT_EQ(ns_row(ns, kSecond).reported_version, kNewVersion);
    EXPECT_EQ(names_in(status_), (std::vector<std::string>{lower(kSecond), kFirst}));
    EXPECT_EQ(read_file(status_ / lower(kSecond) / "PackageStatus.xml"), status_text(kSecond));
}

TEST_F(PsSimulator, PresentFilesAreLeftAloneAndReReported) {
    add_cache(kFirst);
    const std::string snapshot = "<snapshot version=\"1\"><!-- the agent's own --></snapshot>\n";
    const std::string status = "<PackageStatus><Status>Ready</Status></PackageStatus>\n";
    write_file(delivery_ / kFirst / "snapshot.xml", snapshot);
    write_file(status_ / kFirst / "PackageStatus.xml", status);
    const auto manifest = write_manifest({{kFirst}});
    NsEmulator ns(scenario({ns_package(kFirst)}));

    const RunResult result = run(ns, manifest);

    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.by_guid().at(kFirst), line(kFirst, {}, true));
    EXPECT_EQ(read_file(delivery_ / kFirst / "snapshot.xml"), snapshot);
    EXPECT_EQ(read_file(status_ / kFirst / "PackageStatus.xml"), status);
    EXPECT_EQ(ns_row(ns, kFirst).status, "Ready");
}

TEST_F(PsSimulator, IncompleteCacheIsNotReady) {
    add_cache(kFirst, {{"setup.exe", 2000}});  // the manifest says 2048, data.cab is missing
    // kSecond has no delivery folder at all.
    const auto manifest =
        write_manifest({{kFirst, {{"setup.exe", 2048}, {"data.cab", 5}}}, {kSecond}});
    NsEmulator ns(scenario({ns_package(kFirst), ns_package(kSecond)}));

    const RunResult result = run(ns, manifest);

    EXPECT_EQ(result.exit_code, 0) << result.err;
    const auto lines = result.by_guid();
    EXPECT_EQ(lines.at(kFirst)["reported"], false);
    EXPECT_EQ(lines.at(kFirst)["rebuilt"], json::array());
    const std::string error = lines.at(kFirst)["error"].get<std::string>();
    EXPECT_NE(error.find("not Ready"), std::string::npos) << error;
    EXPECT_NE(error.find("setup.exe has 2000 bytes, the manifest says 2048"), std::string::npos)
        << error;
    EXPECT_NE(error.find("data.cab is missing"), std::string::npos) << error;
    EXPECT_EQ(lines.at(kSecond)["reported"], false);
    EXPECT_NE(lines.at(kSecond)["error"].get<std::string>().find("not Ready"), std::string::npos);
    EXPECT_FALSE(fs::exists(delivery_ / kFirst / "snapshot.xml"));
    EXPECT_FALSE(fs::exists(delivery_ / kSecond));
    EXPECT_TRUE(fs::is_empty(status_));
    EXPECT_EQ(ns_row(ns, kFirst).status, "Invalid");
    EXPECT_EQ(ns_row(ns, kSecond).status, "Invalid");
}

TEST_F(PsSimulator, OnlyRefreshesTheNamedPackages) {
    add_cache(kFirst);
    add_cache(kSecond);
    const auto manifest = write_manifest({{kFirst}, {kSecond}});
    NsEmulator ns(scenario({ns_package(kFirst), ns_package(kSecond)}));

    // Any case matches; a GUID the agent does not hold gets its own line.
    const RunResult result = run(ns, manifest, {"--only", lower(kSecond), "--only", kThird});

    EXPECT_EQ(result.exit_code, 0) << result.err;
    const auto lines = result.by_guid();
    ASSERT_EQ(lines.size(), 2u) << result.out;
    EXPECT_EQ(lines.at(kSecond), line(kSecond, {"snapshot.xml", "PackageStatus.xml"}, true));
    EXPECT_EQ(lines.at(kThird)["reported"], false);
    EXPECT_NE(lines.at(kThird)["error"].get<std::string>().find("not in the manifest"),
              std::string::npos);
    EXPECT_FALSE(fs::exists(delivery_ / kFirst / "snapshot.xml"));
    EXPECT_FALSE(fs::exists(status_ / kFirst));
    EXPECT_EQ(ns_row(ns, kFirst).status, "Invalid");
    EXPECT_EQ(ns_row(ns, kSecond).status, "Ready");
}

TEST_F(PsSimulator, RefusesSymbolicLinksAndWritesNothingOutside) {
    const fs::path outside = dir_ / "outside";
    // kFirst: the delivery folder is a link to a complete package elsewhere.
    fs::create_directories(outside / "delivery" / "cache");
    write_file(outside / "delivery" / "cache" / "setup.exe", std::string(2048, 'x'));
    fs::create_directory_symlink(outside / "delivery", delivery_ / kFirst);
    // kSecond: a real delivery folder, but the status folder is a link.
    add_cache(kSecond);
    fs::create_directories(outside / "status");
    fs::create_directory_symlink(outside / "status", status_ / lower(kSecond));
    // kThird: snapshot.xml is a dangling link out of the tree.
    add_cache(kThird);
    fs::create_symlink(outside / "planted.xml", delivery_ / kThird / "snapshot.xml");
    const auto manifest = write_manifest({{kFirst}, {kSecond}, {kThird}});
    NsEmulator ns(scenario({ns_package(kFirst), ns_package(kSecond), ns_package(kThird)}));

    const RunResult result = run(ns, manifest);

    EXPECT_EQ(result.exit_code, 0) << result.err;
    const auto lines = result.by_guid();
    for (const auto& guid : {kFirst, kSecond, kThird}) {
        EXPECT_EQ(lines.at(guid)["reported"], false) << guid;
        EXPECT_EQ(ns_row(ns, guid).status, "Invalid") << guid;
    }
    EXPECT_NE(lines.at(kFirst)["error"].get<std::string>().find("is a symbolic link: refused"),
              std::string::npos)
        << lines.at(kFirst);
    EXPECT_NE(lines.at(kSecond)["error"].get<std::string>().find("is a symbolic link: refused"),
              std::string::npos)
        << lines.at(kSecond);
    EXPECT_NE(lines.at(kThird)["error"].get<std::string>().find("not a regular file: refused"),
              std::string::npos)
        << lines.at(kThird);
    // Nothing went through the links.
    EXPECT_EQ(names_in(outside / "delivery"), std::vector<std::string>{"cache"});
    EXPECT_TRUE(fs::is_empty(outside / "status"));
    EXPECT_FALSE(fs::exists(outside / "planted.xml"));
    EXPECT_TRUE(fs::is_symlink(delivery_ / kThird / "snapshot.xml"));
    // kSecond's snapshot is the agent's own business and was rebuilt; its status was not.
    EXPECT_EQ(lines.at(kSecond)["rebuilt"], json::array({"snapshot.xml"}));
    EXPECT_EQ(names_in(status_), std::vector<std::string>{lower(kSecond)});
}

TEST_F(PsSimulator, UsageErrorsExitTwoAndWriteNothing) {
    add_cache(kFirst);
    const auto manifest = write_manifest({{kFirst}});
    NsEmulator ns(scenario({ns_package(kFirst)}));
    const auto with = [&](std::vector<std::string> extra) {
        std::vector<std::string> argv = base_args(ns, manifest);
        argv.insert(argv.end(), extra.begin(), extra.end());
        return argv;
    };
    const auto replaced = [&](const std::string& option, const std::string& value) {
        std::vector<std::string> argv = base_args(ns, manifest);
        const auto at = std::find(argv.begin(), argv.end(), option);
        *(at + 1) = value;
        return argv;
    };
    const fs::path bad_manifest = dir_ / "bad.json";
    std::ofstream(bad_manifest) << R"({"packages": [{"guid": "../../etc", "version": "1"}]})";

    const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
        {"missing --server",
         {PSGUARD_PS_SIMULATOR_PATH, "refresh", "--manifest", manifest.string()}},
        {"no subcommand", {PSGUARD_PS_SIMULATOR_PATH}},
        {"not a GUID", replaced("--manifest", bad_manifest.string())},
        {"missing manifest", replaced("--manifest", (dir_ / "none.json").string())},
        {"plain http", replaced("--ns-url", "http://localhost:" + std::to_string(ns.port()))},
        {"a path in the URL", replaced("--ns-url", ns.url() + "/Altiris")},
        {"missing CA", replaced("--ca-file", (dir_ / "none.pem").string())},
        {"missing delivery", replaced("--delivery", (dir_ / "none").string())},
        {"bad --only", with({"--only", "6C821F5E"})},
        {"unknown account", with({"--run-as", "psguard-no-such-user"})},
    };
    for (const auto& [name, argv] : cases) {
        const RunResult result = run_argv(argv);
        EXPECT_EQ(result.exit_code, 2) << name << "\n" << result.err;
        EXPECT_EQ(result.out, "") << name;
        EXPECT_FALSE(result.err.empty()) << name;
    }
    EXPECT_FALSE(fs::exists(delivery_ / kFirst / "snapshot.xml"));
    EXPECT_TRUE(fs::is_empty(status_));
    EXPECT_EQ(ns_row(ns, kFirst).status, "Invalid");
}

TEST_F(PsSimulator, RunAsAnotherAccountNeedsRoot) {
    add_cache(kFirst);
    const auto manifest = write_manifest({{kFirst}});
    NsEmulator ns(scenario({ns_package(kFirst)}));
    std::vector<std::string> argv;
    if (::geteuid() == 0) {
        // Be an ordinary account for this run: setpriv drops every privilege before exec.
        if (::access("/usr/bin/setpriv", X_OK) != 0 || ::getpwnam("nobody") == nullptr) {
            GTEST_SKIP() << "as root this needs /usr/bin/setpriv and the nobody account";
        }
        if (!others_can_reach(PSGUARD_PS_SIMULATOR_PATH) || !others_can_reach(dir_.path())) {
            GTEST_SKIP() << "the simulator or the temporary folder is out of reach of nobody";
        }
        fs::permissions(dir_.path(), fs::perms(0755));
        fs::copy_file(ns.ca_file(), dir_ / "ca.pem");
        // A certificate is public; the emulator writes its files private to the test's user.
        fs::permissions(dir_ / "ca.pem", fs::perms(0644));
        argv = {"/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"};
    }
    std::vector<std::string> simulator = base_args(ns, manifest);
    *(std::find(simulator.begin(), simulator.end(), "--ca-file") + 1) = (dir_ / "ca.pem").string();
    if (::geteuid() != 0) {
        fs::copy_file(ns.ca_file(), dir_ / "ca.pem");
    }
    argv.insert(argv.end(), simulator.begin(), simulator.end());
    argv.insert(argv.end(), {"--run-as", "root"});

    const RunResult result = run_argv(argv);

    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find("--run-as root needs root"), std::string::npos) << result.err;
    EXPECT_EQ(result.out, "");
    EXPECT_FALSE(fs::exists(delivery_ / kFirst / "snapshot.xml"));
}

TEST_F(PsSimulator, UnreachableNsExitsOne) {
    add_cache(kFirst);
    const auto manifest = write_manifest({{kFirst}});
    NsEmulator ns(scenario({ns_package(kFirst)}));
    // A port nobody listens on: bound, then released.
    std::uint16_t closed_port = 0;
    {
        boost::asio::io_context io;
        boost::asio::ip::tcp::acceptor acceptor(io,
                                                {boost::asio::ip::make_address("127.0.0.1"), 0});
        closed_port = acceptor.local_endpoint().port();
    }
    std::vector<std::string> argv = base_args(ns, manifest);
    *(std::find(argv.begin(), argv.end(), "--ns-url") + 1) =
        "https://localhost:" + std::to_string(closed_port);

    const RunResult result = run_argv(argv);

    EXPECT_EQ(result.exit_code, 1) << result.err;
    const json entry = result.by_guid().at(kFirst);
    EXPECT_EQ(entry["reported"], false);
    EXPECT_NE(entry["error"].get<std::string>().find("NS unreachable"), std::string::npos) << entry;
    // The local part of the refresh still happened.
    EXPECT_EQ(entry["rebuilt"], json::array({"snapshot.xml", "PackageStatus.xml"}));
}

TEST_F(PsSimulator, VerifiesTheNsCertificateAndHostName) {
    add_cache(kFirst);
    const auto manifest = write_manifest({{kFirst}});
    NsEmulator ns(scenario({ns_package(kFirst)}));

    // A CA the NS's certificate does not chain to.
    const fs::path other_certs = dir_ / "other-certs";
    {
        ChildProcess make_certs({PSGUARD_NS_EMULATOR_PATH, "make-certs", "--dir",
                                 other_certs.string(), "--host", "localhost", "--ip", "127.0.0.1"});
        ASSERT_EQ(make_certs.wait(30s), 0) << make_certs.stderr_text();
    }
    std::vector<std::string> argv = base_args(ns, manifest);
    *(std::find(argv.begin(), argv.end(), "--ca-file") + 1) = (other_certs / "ca.pem").string();
    const RunResult wrong_ca = run_argv(argv);
    EXPECT_EQ(wrong_ca.exit_code, 1) << wrong_ca.err;
    EXPECT_NE(wrong_ca.out.find("TLS handshake"), std::string::npos) << wrong_ca.out;
    EXPECT_EQ(ns_row(ns, kFirst).status, "Invalid");

    // The right CA, but a certificate issued to another host name.
    ns.set_fault("wrong_host_cert");
    const RunResult wrong_host = run(ns, manifest);
    EXPECT_EQ(wrong_host.exit_code, 1) << wrong_host.err;
    EXPECT_NE(wrong_host.out.find("TLS handshake"), std::string::npos) << wrong_host.out;
    ns.set_fault("none");
    EXPECT_EQ(ns_row(ns, kFirst).status, "Invalid");
}

TEST_F(PsSimulator, NsRefusingTheReportExitsOne) {
    add_cache(kFirst);
    const auto manifest = write_manifest({{kFirst}});
    NsEmulator ns(scenario({ns_package(kSecond)}));  // the NS has no row for kFirst on PS01

    const RunResult result = run(ns, manifest);

    EXPECT_EQ(result.exit_code, 1) << result.err;
    const json entry = result.by_guid().at(kFirst);
    EXPECT_EQ(entry["reported"], false);
    EXPECT_NE(entry["error"].get<std::string>().find("HTTP 404"), std::string::npos) << entry;
}

// --- The KB failure, with a real account (root only) ---

class PsSimulatorAsRoot : public PsSimulator {
  protected:
    void SetUp() override {
        if (::geteuid() != 0) {
            GTEST_SKIP() << "needs root: --run-as drops to the nobody account with setuid";
        }
        const passwd* nobody = ::getpwnam("nobody");
        if (nobody == nullptr) {
            GTEST_SKIP() << "needs a `nobody` account on this host";
        }
        if (!others_can_reach(dir_.path())) {
            GTEST_SKIP() << "the temporary folder " << dir_.path()
                         << " lies in a folder the nobody account cannot search";
        }
        nobody_uid_ = nobody->pw_uid;
        nobody_gid_ = nobody->pw_gid;
        // TempDir is 0700: let the account reach the tree (the folders below stay root's 0755).
        fs::permissions(dir_.path(), fs::perms(0755));
        fs::permissions(status_, fs::perms(0755));
    }

    static std::string host_name() {
        char name[HOST_NAME_MAX + 1] = {};
        ::gethostname(name, HOST_NAME_MAX);
        return name;
    }

    static std::string month_day(std::time_t when) {
        std::tm local{};
        ::localtime_r(&when, &local);
        char text[16] = {};
        std::strftime(text, sizeof text, "%b %d", &local);
        return text;
    }

    // Checks the two KB lines exactly, the date and tick counts apart, which are checked for
    // form and plausibility.
    static void expect_kb_lines(const std::string& first, const std::string& second, pid_t pid,
                                const std::string& path, std::time_t before, std::time_t after) {
        const std::regex variable(
            "date='([A-Z][a-z]{2} [0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2})'(.*)tickCount='([0-9]+)'");
        std::smatch one;
        std::smatch two;
        ASSERT_TRUE(std::regex_search(first, one, variable)) << first;
        ASSERT_TRUE(std::regex_search(second, two, variable)) << second;
        const std::string date = one[1];
        EXPECT_EQ(two[1], date);
        EXPECT_TRUE(date.substr(0, 6) == month_day(before) || date.substr(0, 6) == month_day(after))
            << date;
        EXPECT_LE(std::stoull(one[3]), std::stoull(two[3]));

        const std::string common = "' severity='2' hostName='" + host_name() + "' source='";
        const std::string process = "' module='AeXNSAgent.exe' process='AeXNSAgent.exe' pid='" +
                                    std::to_string(pid) + "' thread='" + std::to_string(pid) +
                                    "' tickCount='";
        EXPECT_EQ(first, "<event date='" + date + common + "CreateDirectoryPath" + process +
                             std::string(one[3]) +
                             "' > <![CDATA[Cannot create directory: 0x80070005 [Access is "
                             "denied] " +
                             path + "]]></event>");
        EXPECT_EQ(second, "<event date='" + date + common + "EventTransport" + process +
                              std::string(two[3]) +
                              "' > <![CDATA[Error while copying event to capture directory: "
                              "Access is denied (-2147024891)]]></event>");
    }

    static void run_tool(std::vector<std::string> argv) {
        ChildProcess tool(argv);
        ASSERT_EQ(tool.wait(10s), 0) << argv[0] << ": " << tool.stderr_text();
    }

    uid_t nobody_uid_ = 0;
    gid_t nobody_gid_ = 0;
};

TEST_F(PsSimulatorAsRoot, DeniedStatusFolderLogsTheKbLinesUntilAnAclGrantsTheRight) {
    add_cache(kFirst);
    add_cache(kSecond);
    // kSecond's status folder already belongs to the account: its write succeeds.
    fs::create_directories(status_ / kSecond);
    ASSERT_EQ(::chown((status_ / kSecond).c_str(), nobody_uid_, nobody_gid_), 0);
    const fs::path agent_log = dir_ / "agent.log";
    write_file(agent_log, "<event date='May 16 11:50:00' severity='4' > earlier</event>\n");
    const auto manifest = write_manifest({{kFirst}, {kSecond}});
    NsEmulator ns(scenario({ns_package(kFirst), ns_package(kSecond)}));
    const std::vector<std::string> as_nobody = {"--run-as", "nobody", "--agent-log",
                                                agent_log.string()};

    const std::time_t before = std::time(nullptr);
    const RunResult denied = run(ns, manifest, as_nobody);
    const std::time_t after = std::time(nullptr);

    // The agent's behaviour, not a simulator failure: exit 0, and the others go on.
    EXPECT_EQ(denied.exit_code, 0) << denied.err;
    const auto lines = denied.by_guid();
    EXPECT_EQ(lines.at(kFirst)["reported"], false);
    EXPECT_EQ(lines.at(kFirst)["rebuilt"], json::array({"snapshot.xml"}));
    EXPECT_NE(lines.at(kFirst)["error"].get<std::string>().find("access denied to nobody"),
              std::string::npos)
        << lines.at(kFirst);
    EXPECT_EQ(lines.at(kSecond), line(kSecond, {"snapshot.xml", "PackageStatus.xml"}, true));
    EXPECT_FALSE(fs::exists(status_ / kFirst));
    EXPECT_EQ(ns_row(ns, kFirst).status, "Invalid");
    EXPECT_EQ(ns_row(ns, kSecond).status, "Ready");
    // Written by the account itself.
    struct stat info {};
    ASSERT_EQ(::stat((status_ / kSecond / "PackageStatus.xml").c_str(), &info), 0);
    EXPECT_EQ(info.st_uid, nobody_uid_);
    EXPECT_EQ(info.st_gid, nobody_gid_);

    const auto log = lines_of(read_file(agent_log));
    ASSERT_EQ(log.size(), 3u) << read_file(agent_log);
    EXPECT_EQ(log[0], "<event date='May 16 11:50:00' severity='4' > earlier</event>");
    expect_kb_lines(log[1], log[2], denied.pid, (status_ / kFirst).string(), before, after);

    // Grant the account the right with a POSIX ACL: the next refresh goes through.
    run_tool({"setfacl", "-m", "u:nobody:rwx", status_.string()});
    const RunResult granted = run(ns, manifest, as_nobody);

    EXPECT_EQ(granted.exit_code, 0) << granted.err;
    EXPECT_EQ(granted.by_guid().at(kFirst), line(kFirst, {"PackageStatus.xml"}, true));
    EXPECT_EQ(granted.by_guid().at(kSecond), line(kSecond, {}, true));
    EXPECT_EQ(read_file(status_ / kFirst / "PackageStatus.xml"), status_text(kFirst));
    EXPECT_EQ(ns_row(ns, kFirst).status, "Ready");
    EXPECT_EQ(ns_row(ns, kFirst).reported_version, kNewVersion);
    EXPECT_EQ(lines_of(read_file(agent_log)).size(), 3u) << "nothing more was logged";
}

TEST_F(PsSimulatorAsRoot, DeniedFileInAnExistingFolderUntilTheGroupIsGrantedTheRight) {
    add_cache(kFirst);
    // The folder is there (root's, 0755), PackageStatus.xml was quarantined.
    fs::create_directories(status_ / lower(kFirst));
    fs::permissions(status_ / lower(kFirst), fs::perms(0755));
    const fs::path agent_log = dir_ / "agent.log";  // created by the first denial
    const auto manifest = write_manifest({{kFirst}});
    NsEmulator ns(scenario({ns_package(kFirst)}));
    const std::vector<std::string> as_nobody = {"--run-as", "nobody", "--agent-log",
                                                agent_log.string()};

    const std::time_t before = std::time(nullptr);
    const RunResult denied = run(ns, manifest, as_nobody);
    const std::time_t after = std::time(nullptr);

    EXPECT_EQ(denied.exit_code, 0) << denied.err;
    EXPECT_EQ(denied.by_guid().at(kFirst)["reported"], false);
    EXPECT_FALSE(fs::exists(status_ / lower(kFirst) / "PackageStatus.xml"));
    EXPECT_TRUE(fs::is_empty(status_ / lower(kFirst))) << "no temporary file left behind";
    EXPECT_EQ(ns_row(ns, kFirst).status, "Invalid");
    const auto log = lines_of(read_file(agent_log));
    ASSERT_EQ(log.size(), 2u) << read_file(agent_log);
    expect_kb_lines(log[0], log[1], denied.pid,
                    (status_ / lower(kFirst) / "PackageStatus.xml").string(), before, after);

    // Grant the account's primary group the right: the privilege drop set it (setgid).
    ASSERT_EQ(::chown((status_ / lower(kFirst)).c_str(), 0, nobody_gid_), 0);
    fs::permissions(status_ / lower(kFirst), fs::perms(0775));
    const RunResult granted = run(ns, manifest, as_nobody);

    EXPECT_EQ(granted.exit_code, 0) << granted.err;
    EXPECT_EQ(granted.by_guid().at(kFirst), line(kFirst, {"PackageStatus.xml"}, true));
    EXPECT_EQ(read_file(status_ / lower(kFirst) / "PackageStatus.xml"), status_text(kFirst));
    EXPECT_EQ(ns_row(ns, kFirst).status, "Ready");
    EXPECT_EQ(lines_of(read_file(agent_log)).size(), 2u);
}

}  // namespace
}  // namespace psguard::test
