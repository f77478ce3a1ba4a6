// `psguard demo`: the KB failure on a sandbox Package Server, and psguard's whole answer to it,
// with real parts — the NS emulator over TLS, the simulated Package Server agent writing as the
// credential account, and the real agent loop (`psguard run`) read through its own endpoint.
// As root the credential account is `nobody` with real ACLs and psguard repairs them itself
// (acl.repair); otherwise it is the current user, and the demo plays the administrator who
// restores the right.
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>

#include "commands/commands.hpp"
#include "config/config_loader.hpp"
#include "core/utf8_path.hpp"
#include "cycle/check_report.hpp"
#include "demo/background_process_posix.hpp"
#include "demo/demo_sandbox.hpp"
#include "endpoint/local_client.hpp"
#include "endpoint/token_file.hpp"
#include "ns/ns_client.hpp"
#include "platform/process_runner.hpp"
#include "platform/sha256.hpp"

namespace psguard {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using namespace std::chrono_literals;
using demo::BackgroundProcess;
using demo::DemoLayout;

constexpr auto kCycleTimeout = 60s;

// Something the demo could not do: where, and why.
struct DemoFailure {
    std::string text;
};

struct Tools {
    fs::path self;
    fs::path emulator;
    fs::path simulator;
};

Result<Tools> find_tools(const std::optional<fs::path>& tools_dir) {
    std::error_code ec;
    Tools tools;
    tools.self = fs::read_symlink("/proc/self/exe", ec);
    if (ec) {
        return fail("cannot find psguard's own executable (/proc/self/exe): " + ec.message());
    }
    const fs::path here = tools.self.parent_path();
    std::vector<std::pair<fs::path, fs::path>> candidates;  // emulator, simulator
    if (tools_dir) {
        candidates.push_back(
            {*tools_dir / "psguard-ns-emulator", *tools_dir / "psguard-ps-simulator"});
    } else {
        candidates.push_back({here / "psguard-ns-emulator", here / "psguard-ps-simulator"});
        // The build tree: build/<preset>/service/psguard beside build/<preset>/tests/...
        candidates.push_back(
            {here.parent_path() / "tests" / "ns_emulator" / "psguard-ns-emulator",
             here.parent_path() / "tests" / "ps_simulator" / "psguard-ps-simulator"});
    }
    std::string looked;
    for (const auto& [emulator, simulator] : candidates) {
        if (::access(emulator.c_str(), X_OK) == 0 && ::access(simulator.c_str(), X_OK) == 0) {
            tools.emulator = emulator;
            tools.simulator = simulator;
            return tools;
        }
        looked += "\n  " + emulator.string() + "\n  " + simulator.string();
    }
    return fail(
        "psguard demo needs the NS emulator and the Package Server simulator of the build "
        "tree (cmake --build --preset dev builds them), or --tools-dir; looked for:" +
        looked);
}

// The temporary sandbox; removed with everything in it unless kept.
class Sandbox {
  public:
    static Result<Sandbox> create() {
        const char* tmp = std::getenv("TMPDIR");
        std::string pattern =
            std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/psguard-demo-XXXXXX";
        if (::mkdtemp(pattern.data()) == nullptr) {
            return fail("cannot create a sandbox folder from " + pattern);
        }
        // Others may pass through (the credential account must reach the tree), not list it.
        ::chmod(pattern.c_str(), 0711);
        return Sandbox(pattern);
    }
    Sandbox(Sandbox&& other) noexcept : path_(std::exchange(other.path_, {})), keep_(other.keep_) {}
    Sandbox& operator=(Sandbox&&) = delete;
    ~Sandbox() {
        if (!path_.empty() && !keep_) {
            std::error_code ec;
            fs::remove_all(path_, ec);
        }
    }
    const fs::path& path() const { return path_; }
    void keep() { keep_ = true; }

  private:
    explicit Sandbox(fs::path path) : path_(std::move(path)) {}
    fs::path path_;
    bool keep_ = false;
};

std::string read_whole_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

Status write_json(const fs::path& file, const Json& json) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << json.dump(2) << '\n';
    out.close();
    return out ? Status{} : fail("cannot write " + file.string());
}

void say(const std::string& text) {
    std::cout << text << '\n' << std::flush;
}

void step(int number, const std::string& title) {
    std::cout << '\n' << number << ". " << title << '\n' << std::flush;
}

// Everything the agent's files amount to, per package folder: to prove which ones psguard
// touched.
std::map<std::string, std::string> fingerprint(const DemoLayout& layout) {
    std::map<std::string, std::string> prints;
    for (const auto& root : {layout.delivery, layout.status}) {
        std::error_code ec;
        for (auto it = fs::recursive_directory_iterator(root, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
            if (!it->is_regular_file(ec)) {
                continue;
            }
            const auto relative = it->path().lexically_relative(root);
            const std::string package = relative.begin()->string();
            auto digest = sha256_file(it->path());
            prints[package] += relative.string() + "=" + (digest ? digest->sha256 : "?") + ";";
        }
    }
    return prints;
}

// The credential account of the demo and how its missing right is made and fixed.
struct Account {
    std::string name;
    bool real_acl = false;  // root: `nobody`, real ACLs, psguard repairs
};

Result<Account> prepare_account(const DemoLayout& layout) {
    if (::geteuid() == 0) {
        const passwd* nobody = ::getpwnam("nobody");
        if (nobody == nullptr) {
            return fail(
                "running as root, the demo uses the account 'nobody', which this host "
                "does not have");
        }
        // The agent made the package folders as the account; the roots it was never granted.
        for (const auto& root : {layout.delivery, layout.status}) {
            std::error_code ec;
            for (auto it = fs::recursive_directory_iterator(root, ec);
                 !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
                if (::lchown(it->path().c_str(), nobody->pw_uid, nobody->pw_gid) != 0) {
                    return fail("cannot hand " + it->path().string() + " to nobody");
                }
            }
            ::chmod(root.c_str(), 0755);
        }
        ::lchown(layout.logs.c_str(), nobody->pw_uid, nobody->pw_gid);
        return Account{"nobody", true};
    }
    const passwd* me = ::getpwuid(::geteuid());
    if (me == nullptr) {
        return fail("cannot find the name of the current user");
    }
    for (const auto& root : {layout.delivery, layout.status}) {
        ::chmod(root.c_str(), 0555);  // the account may read but not create packages
    }
    return Account{me->pw_name, false};
}

std::vector<std::string> simulator_argv(const Tools& tools, const DemoLayout& layout,
                                        const Account& account, const std::string& ns_url) {
    std::vector<std::string> argv = {tools.simulator.string(),
                                     "refresh",
                                     "--manifest",
                                     (layout.root / "manifest.json").string(),
                                     "--delivery",
                                     layout.delivery.string(),
                                     "--status",
                                     layout.status.string(),
                                     "--ns-url",
                                     ns_url,
                                     "--ca-file",
                                     (layout.certs / "ca.pem").string(),
                                     "--server",
                                     layout.server,
                                     "--agent-log",
                                     (layout.logs / "agent.log").string()};
    if (account.real_acl) {
        argv.insert(argv.end(), {"--run-as", account.name});
    }
    return argv;
}

Json psguard_config(const DemoLayout& layout, const Account& account, const std::string& ns_url,
                    const std::vector<std::string>& refresh) {
    return {{"package_server", {{"name", layout.server}}},
            {"paths",
             {{"package_delivery", layout.delivery.string()},
              {"package_status", layout.status.string()},
              {"state_dir", layout.state.string()}}},
            {"ns",
             {{"url", ns_url},
              {"report_guid", layout.report_guid},
              {"ca_file", (layout.certs / "ca.pem").string()},
              {"timeout_seconds", 10},
              {"max_retries", 1}}},
            {"credential_account", account.name},
            {"acl", {{"repair", account.real_acl}}},
            {"evidence", {{"log_dir", layout.logs.string()}}},
            {"heal",
             {{"enabled", true},
              {"confirm_cycles", 1},
              {"max_per_cycle", 10},
              {"refresh_command", refresh},
              {"refresh_timeout_seconds", 60}}},
            {"agent", {{"interval_minutes", 60}, {"debounce_ms", 500}}},
            {"endpoint", {{"port", 0}}}};
}

// The agent under `psguard run`, read and driven through its endpoint.
class RunningAgent {
  public:
    RunningAgent(BackgroundProcess process, fs::path output)
        : process_(std::move(process)), output_(std::move(output)) {}

    // Waits for the endpoint line in the agent's log; then the endpoint is known.
    Status wait_for_endpoint() {
        const std::string marker = "status endpoint on http://127.0.0.1:";
        const auto deadline = std::chrono::steady_clock::now() + 20s;
        while (std::chrono::steady_clock::now() < deadline) {
            const std::string log = read_whole_file(output_);
            if (const auto at = log.find(marker); at != std::string::npos) {
                endpoint_.bind_address = "127.0.0.1";
                endpoint_.port =
                    static_cast<std::uint16_t>(std::stoi(log.substr(at + marker.size())));
                return {};
            }
            if (!process_.running()) {
                return fail("psguard run ended early:\n" + log);
            }
            std::this_thread::sleep_for(50ms);
        }
        return fail("psguard run did not open its endpoint within 20 s");
    }

    Result<Json> get(const std::string& target) const {
        auto response = get_local(endpoint_, target, 10s);
        if (!response) {
            return response.error();
        }
        Json json = Json::parse(response->body, nullptr, false);
        if (json.is_discarded()) {
            return fail(target + " did not answer JSON (HTTP " + std::to_string(response->status) +
                        ")");
        }
        return json;
    }

    // Waits until `count` cycles are complete; their status.
    Result<Json> wait_for_cycles(std::uint64_t count) const {
        const auto deadline = std::chrono::steady_clock::now() + kCycleTimeout;
        while (std::chrono::steady_clock::now() < deadline) {
            auto status = get("/v1/status");
            if (status && (*status)["cycles_total"].get<std::uint64_t>() >= count &&
                (*status)["cycle_running"] == false) {
                return status;
            }
            std::this_thread::sleep_for(100ms);
        }
        return fail("cycle " + std::to_string(count) + " did not finish within " +
                    std::to_string(kCycleTimeout.count()) + " s");
    }

    // POST /v1/check with the token, then waits for that cycle (at least the `count`th). A cycle
    // the agent started by itself (the healed folders changed) makes the POST answer 409: wait
    // for it to end and ask again.
    Result<Json> run_cycle(const fs::path& token_file, std::uint64_t count) const {
        auto token = read_token_file(token_file);
        if (!token) {
            return token.error();
        }
        const auto deadline = std::chrono::steady_clock::now() + kCycleTimeout;
        while (std::chrono::steady_clock::now() < deadline) {
            auto before = get("/v1/status");
            if (!before) {
                return before.error();
            }
            const auto done = (*before)["cycles_total"].get<std::uint64_t>();
            auto answer = post_local(endpoint_, "/v1/check", *token, 10s);
            if (answer && answer->status == 202) {
                return wait_for_cycles(std::max(count, done + 1));
            }
            if (!answer || answer->status != 409) {
                return fail(
                    "POST /v1/check was refused: " +
                    (answer ? "HTTP " + std::to_string(answer->status) : answer.error().message));
            }
            std::this_thread::sleep_for(200ms);
        }
        return fail("POST /v1/check: a cycle was still running after " +
                    std::to_string(kCycleTimeout.count()) + " s");
    }

    std::string where() const { return local_endpoint_url(endpoint_); }
    std::string log() const { return read_whole_file(output_); }
    std::optional<int> stop() { return process_.stop(10s); }

  private:
    BackgroundProcess process_;
    fs::path output_;
    EndpointConfig endpoint_;
};

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
    std::string out;
    for (const auto& part : parts) {
        out += (out.empty() ? "" : separator) + part;
    }
    return out;
}

std::string verdict_counts(const Json& status) {
    std::vector<std::string> parts;
    for (const auto& [verdict, count] : status["summary"].items()) {
        parts.push_back(std::to_string(count.get<int>()) + " " + verdict);
    }
    return join(parts, ", ");
}

// The packages of /v1/packages with a given verdict.
std::vector<Json> with_verdict(const Json& packages, const std::string& verdict) {
    std::vector<Json> found;
    for (const auto& package : packages["packages"]) {
        if (package["verdict"] == verdict) {
            found.push_back(package);
        }
    }
    return found;
}

std::vector<Json> journal_actions(const Json& journal, const std::string& kind) {
    std::vector<Json> found;
    for (const auto& action : journal["actions"]) {
        if (action.value("kind", "files") == kind) {
            found.push_back(action);
        }
    }
    return found;
}

// The KB's verification: the NS rows of this Package Server whose status is not Ready.
Result<std::vector<std::string>> rows_not_ready(const fs::path& config_file) {
    auto config = load_config_file(config_file, detect_host_defaults());
    if (!config) {
        return config.error();
    }
    auto ns = make_ns_client(*config);
    if (!ns) {
        return ns.error();
    }
    NsFetch fetch = (*ns)->fetch_package_states();
    if (!fetch.answer) {
        return fail("the NS report could not be read: " + fetch.error);
    }
    std::vector<std::string> rows;
    for (const auto& row : fetch.answer->rows) {
        if (row.status != "Ready") {
            rows.push_back(row.id + " " + row.status);
        }
    }
    return rows;
}

// The demo proper; a failure says at which point and why.
Result<std::string> run_demo(const DemoOptions& options, Sandbox& sandbox) {
    const auto started = std::chrono::steady_clock::now();
    auto tools = find_tools(options.tools_dir);
    if (!tools) {
        return tools.error();
    }
    const DemoLayout layout = demo::plan_demo(sandbox.path(), options.packages);
    if (auto written = demo::write_demo_tree(layout); !written) {
        return written.error();
    }
    if (auto written = write_json(layout.root / "scenario.json", demo::demo_scenario(layout));
        !written) {
        return written.error();
    }
    if (auto written = write_json(layout.root / "manifest.json", demo::demo_manifest(layout));
        !written) {
        return written.error();
    }

    step(1, "The NS: packages Invalid that the Package Server holds Ready");
    auto certs = run_process({tools->emulator.string(), "make-certs", "--dir",
                              layout.certs.string(), "--host", "localhost", "--ip", "127.0.0.1"},
                             30s, layout.root / "certs.log");
    if (!certs || certs->exit_code != 0) {
        return fail("the emulator could not make its certificates (see " +
                    (layout.root / "certs.log").string() + ")");
    }
    auto emulator = BackgroundProcess::start(
        {tools->emulator.string(), "serve", "--cert-dir", layout.certs.string(), "--scenario",
         (layout.root / "scenario.json").string(), "--port", "0", "--port-file",
         (layout.root / "emulator.port").string()},
        layout.root / "emulator.log");
    if (!emulator) {
        return emulator.error();
    }
    std::string port;
    for (int i = 0; i < 200 && port.empty(); ++i) {
        std::this_thread::sleep_for(50ms);
        port = read_whole_file(layout.root / "emulator.port");
        while (!port.empty() && (port.back() == '\n' || port.back() == ' ')) {
            port.pop_back();
        }
    }
    if (port.empty()) {
        return fail("the NS emulator did not start (see " +
                    (layout.root / "emulator.log").string() + ")");
    }
    const std::string ns_url = "https://localhost:" + port;
    const std::size_t stale = layout.stale_count();
    say("   NS emulator at " + ns_url + " (TLS, a CA made for this run) lists " +
        std::to_string(layout.packages.size()) + " packages for Package Server " + layout.server +
        ": " + std::to_string(stale + 1) + " Invalid, " +
        std::to_string(layout.packages.size() - stale - 1) + " Ready.");
    say("   On disk (" + layout.root.string() + "): " + std::to_string(layout.packages.size()) +
        " packages; " + std::to_string(stale) +
        " of those the NS calls Invalid hold Ready here, and the newest arrived without its "
        "status.");

    step(2, "The credential account lacks the right to write the Package Delivery folders");
    auto account = prepare_account(layout);
    if (!account) {
        return account.error();
    }
    say("   Package Service credential account: " + account->name +
        (account->real_acl ? " (a real account; real POSIX ACLs, as root)"
                           : " (you: not root, so the missing right is the folders' mode bits)"));
    const auto refresh = simulator_argv(*tools, layout, *account, ns_url);
    std::vector<std::string> first_refresh = refresh;
    first_refresh.insert(first_refresh.end(), {"--only", layout.packages.back().guid});
    (void)run_process(first_refresh, 60s, layout.root / "simulator.log");
    const std::string agent_log = read_whole_file(layout.logs / "agent.log");
    const auto denied = agent_log.find("Access is denied");
    if (denied == std::string::npos) {
        return fail("the simulated agent was not denied as planned; its log:\n" + agent_log);
    }
    // The event's message: the CDATA of the <event> line.
    const auto cdata = agent_log.rfind("CDATA[", denied);
    const auto message_start = cdata == std::string::npos ? denied : cdata + 6;
    const auto message_end = agent_log.find("]]", denied);
    say("   The agent, refreshing as " + account->name + ", is denied; its log says:");
    say("     " + agent_log.substr(message_start, message_end == std::string::npos
                                                      ? std::string::npos
                                                      : message_end - message_start));

    const fs::path config_file = layout.root / "psguard.json";
    if (auto written = write_json(config_file, psguard_config(layout, *account, ns_url, refresh));
        !written) {
        return written.error();
    }
    const auto before = fingerprint(layout);

    step(3, "psguard run: the first cycle finds the cause and blocks the heal");
    auto process = BackgroundProcess::start(
        {tools->self.string(), "run", "--config", config_file.string()}, layout.root / "agent.out");
    if (!process) {
        return process.error();
    }
    RunningAgent agent(std::move(*process), layout.root / "agent.out");
    if (auto ready = agent.wait_for_endpoint(); !ready) {
        return ready.error();
    }
    say("   psguard run --config " + config_file.string());
    say("   status endpoint: " + agent.where() + " (loopback only)");
    auto status = agent.wait_for_cycles(1);
    if (!status) {
        return status.error();
    }
    auto packages = agent.get("/v1/packages");
    if (!packages) {
        return packages.error();
    }
    say("   Verdicts: " + verdict_counts(*status) + ".");
    const auto& acl = (*status)["acl"];
    if (acl["ok"] != false) {
        return fail("the first cycle did not find the missing right: " + acl.dump());
    }
    std::vector<std::string> problems;
    for (const auto& path : acl["problems"]) {
        problems.push_back(path.get<std::string>());
    }
    say("   ACL: " + acl["account"].get<std::string>() + " lacks the required rights on " +
        join(problems, " and ") + ".");
    if (status->contains("diagnosis")) {
        say("   Diagnosis: " + (*status)["diagnosis"]["cause"].get<std::string>() + " — " +
            (*status)["diagnosis"]["summary"].get<std::string>());
    }
    const auto stale_packages = with_verdict(*packages, "stale_on_ns");
    if (stale_packages.size() != stale) {
        return fail("expected " + std::to_string(stale) + " stale packages, psguard saw " +
                    std::to_string(stale_packages.size()));
    }
    say("   Heal of the " + std::to_string(stale) +
        " stale packages: " + stale_packages.front()["heal"]["state"].get<std::string>() + " (" +
        stale_packages.front()["heal"]["reason"].get<std::string>() + ").");
    if (fingerprint(layout) != before) {
        return fail("a package file changed while the heal was blocked");
    }

    step(4, "The right is restored");
    auto journal = agent.get("/v1/journal");
    if (!journal) {
        return journal.error();
    }
    if (account->real_acl) {
        const auto repairs = journal_actions(*journal, "acl");
        if (repairs.empty()) {
            return fail("acl.repair did not repair: " + (*status)["heal"].dump());
        }
        for (const auto& repair : repairs) {
            say("   psguard (acl.repair) " + repair["detail"].get<std::string>() + " — journal " +
                repair["id"].get<std::string>() + ", undo with psguard restore.");
        }
    } else {
        for (const auto& root : {layout.delivery, layout.status}) {
            ::chmod(root.c_str(), 0755);
        }
        say("   The administrator gives the folders back to the account (chmod u+w on both "
            "roots): acl.repair needs root and another account to grant to.");
    }

    step(5, "Next cycle: the ACL passes, the stale packages are healed, the agent re-reports");
    status = agent.run_cycle(layout.state / "endpoint.token", 2);
    if (!status) {
        return status.error();
    }
    if ((*status)["acl"]["ok"] != true) {
        return fail("the ACL still fails after the fix: " + (*status)["acl"].dump());
    }
    journal = agent.get("/v1/journal");
    if (!journal) {
        return journal.error();
    }
    const auto heals = journal_actions(*journal, "files");
    std::vector<std::string> healed;
    for (const auto& action : heals) {
        healed.push_back(action["package"].get<std::string>());
    }
    say("   Healed " + std::to_string(heals.size()) +
        " packages (snapshot.xml and "
        "PackageStatus.xml to quarantine, journal first): " +
        join(healed, ", "));
    const auto after = fingerprint(layout);
    std::size_t untouched = 0;
    std::size_t changed_others = 0;
    for (const auto& package : layout.packages) {
        if (!package.status_written || package.stale) {
            continue;
        }
        // The agent's refresh may rewrite any package; psguard's heal touched none of these.
        const bool same = before.count(package.guid) != 0 && after.count(package.guid) != 0 &&
                          before.at(package.guid) == after.at(package.guid);
        (same ? untouched : changed_others) += 1;
    }
    if (heals.size() != stale || changed_others != 0) {
        return fail("the heal touched other packages (" + std::to_string(changed_others) +
                    ") or missed stale ones (" + std::to_string(heals.size()) + " healed)");
    }
    say("   The " + std::to_string(untouched) +
        " healthy packages: not one file changed (SHA-256 of every file compared).");

    step(6, "Next cycle: the NS says Ready, psguard verifies its actions");
    status = agent.run_cycle(layout.state / "endpoint.token", 3);
    if (!status) {
        return status.error();
    }
    say("   Verdicts: " + verdict_counts(*status) + ".");
    journal = agent.get("/v1/journal");
    std::size_t verified = 0;
    for (const auto& action : journal ? journal_actions(*journal, "files") : std::vector<Json>{}) {
        verified += action["result"] == "verified" ? 1 : 0;
    }
    say("   Heal actions verified: " + std::to_string(verified) + " of " +
        std::to_string(heals.size()) + ".");
    const auto not_ready = rows_not_ready(config_file);
    if (!not_ready) {
        return not_ready.error();
    }
    say("   KB verification (SWDPackageServer rows of " + layout.server +
        " not Ready, asked of the NS directly): " + std::to_string(not_ready->size()) + " rows" +
        (not_ready->empty() ? "." : ": " + join(*not_ready, ", ")));
    const std::string where = agent.where();
    const auto stopped = agent.stop();
    if ((*status)["summary"].value("healthy", 0) != static_cast<int>(layout.packages.size()) ||
        !not_ready->empty() || verified != heals.size()) {
        return fail("the server did not end healthy: " + verdict_counts(*status));
    }
    if (stopped != 0) {
        return fail("psguard run did not stop cleanly (exit " +
                    (stopped ? std::to_string(*stopped) : std::string("?")) + ")");
    }
    const auto seconds = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - started)
                             .count() /
                         1000.0;
    return "All " + std::to_string(layout.packages.size()) + " packages Ready on the NS in " +
           std::to_string(seconds).substr(0, std::to_string(seconds).find('.') + 2) +
           " s. While it ran, the endpoint was at " + where +
           " (/healthz, /v1/status, /v1/packages, /v1/journal, /metrics).";
}

}  // namespace

int run_demo_command(const DemoOptions& options) {
    say("psguard demo: the KB failure on a sandbox Package Server, from diagnosis to verified "
        "heal");
    auto sandbox = Sandbox::create();
    if (!sandbox) {
        std::cerr << sandbox.error().message << '\n';
        return kExitUsage;
    }
    if (options.keep) {
        sandbox->keep();
    }
    auto outcome = run_demo(options, *sandbox);
    std::cout << '\n';
    if (!outcome) {
        sandbox->keep();
        std::cerr << "demo FAILED: " << outcome.error().message
                  << "\nsandbox kept for a look: " << sandbox->path().string() << '\n';
        return kExitFindings;
    }
    say(*outcome);
    say(options.keep ? "Sandbox kept: " + sandbox->path().string() +
                           " (psguard.json, agent.out, state/journal.jsonl, agent/Logs)"
                     : "Sandbox removed: nothing left behind.");
    return 0;
}

}  // namespace psguard
