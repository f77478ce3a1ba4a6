#include "support/child_process.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>
#include <thread>

extern char** environ;

namespace psguard::test {
namespace {

// posix_spawn's C structures, released on every path.
class SpawnActions {
  public:
    SpawnActions() { check(posix_spawn_file_actions_init(&actions_), "file_actions_init"); }
    ~SpawnActions() { posix_spawn_file_actions_destroy(&actions_); }
    SpawnActions(const SpawnActions&) = delete;
    SpawnActions& operator=(const SpawnActions&) = delete;
    posix_spawn_file_actions_t* get() { return &actions_; }

    static void check(int rc, const char* what) {
        if (rc != 0) {
            throw std::system_error(rc, std::generic_category(), what);
        }
    }

  private:
    posix_spawn_file_actions_t actions_;
};

class SpawnAttributes {
  public:
    SpawnAttributes() { SpawnActions::check(posix_spawnattr_init(&attributes_), "attr_init"); }
    ~SpawnAttributes() { posix_spawnattr_destroy(&attributes_); }
    SpawnAttributes(const SpawnAttributes&) = delete;
    SpawnAttributes& operator=(const SpawnAttributes&) = delete;
    posix_spawnattr_t* get() { return &attributes_; }

  private:
    posix_spawnattr_t attributes_;
};

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::vector<std::string> merged_environment(
    const std::vector<std::pair<std::string, std::string>>& overrides) {
    std::map<std::string, std::string> variables;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string text(*entry);
        const auto eq = text.find('=');
        if (eq != std::string::npos) {
            variables[text.substr(0, eq)] = text.substr(eq + 1);
        }
    }
    for (const auto& [name, value] : overrides) {
        variables[name] = value;
    }
    std::vector<std::string> result;
    for (const auto& [name, value] : variables) {
        result.push_back(name + "=" + value);
    }
    return result;
}

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
    std::vector<char*> pointers;
    for (auto& text : strings) {
        pointers.push_back(text.data());
    }
    pointers.push_back(nullptr);
    return pointers;
}

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv, ChildOptions options) {
    if (argv.empty()) {
        throw std::invalid_argument("ChildProcess needs a program");
    }
    if (options.stdout_file.empty() || options.stderr_file.empty()) {
        capture_dir_.emplace("psguard-child");
    }
    stdout_file_ =
        options.stdout_file.empty() ? capture_dir_->path() / "stdout.txt" : options.stdout_file;
    stderr_file_ =
        options.stderr_file.empty() ? capture_dir_->path() / "stderr.txt" : options.stderr_file;

    SpawnActions actions;
    SpawnActions::check(
        posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO, "/dev/null", O_RDONLY, 0),
        "redirect stdin");
    SpawnActions::check(
        posix_spawn_file_actions_addopen(actions.get(), STDOUT_FILENO, stdout_file_.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0600),
        "redirect stdout");
    SpawnActions::check(
        posix_spawn_file_actions_addopen(actions.get(), STDERR_FILENO, stderr_file_.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0600),
        "redirect stderr");

    // Own process group (so the destructor can kill grandchildren too), default signal
    // dispositions and an empty mask whatever the test runner set for itself.
    SpawnAttributes attributes;
    sigset_t no_signals;
    sigemptyset(&no_signals);
    sigset_t defaults;
    sigemptyset(&defaults);
    for (const int sig : {SIGTERM, SIGINT, SIGPIPE, SIGHUP, SIGCHLD}) {
        sigaddset(&defaults, sig);
    }
    SpawnActions::check(posix_spawnattr_setpgroup(attributes.get(), 0), "setpgroup");
    SpawnActions::check(posix_spawnattr_setsigmask(attributes.get(), &no_signals), "setsigmask");
    SpawnActions::check(posix_spawnattr_setsigdefault(attributes.get(), &defaults),
                        "setsigdefault");
    SpawnActions::check(
        posix_spawnattr_setflags(attributes.get(), POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                                       POSIX_SPAWN_SETSIGDEF),
        "setflags");

    std::vector<std::string> environment = merged_environment(options.environment);
    std::vector<char*> argv_pointers = pointers_to(argv);
    std::vector<char*> env_pointers = pointers_to(environment);
    const bool has_path = argv.front().find('/') != std::string::npos;
    const int rc = has_path
                       ? posix_spawn(&pid_, argv.front().c_str(), actions.get(), attributes.get(),
                                     argv_pointers.data(), env_pointers.data())
                       : posix_spawnp(&pid_, argv.front().c_str(), actions.get(), attributes.get(),
                                      argv_pointers.data(), env_pointers.data());
    if (rc != 0) {
        pid_ = -1;
        throw std::system_error(rc, std::generic_category(), "posix_spawn " + argv.front());
    }
}

ChildProcess::~ChildProcess() {
    if (pid_ > 0 && !exit_code_) {
        ::kill(-pid_, SIGKILL);
        reap(true);
    }
}

bool ChildProcess::reap(bool block) {
    if (exit_code_) {
        return true;
    }
    int status = 0;
    pid_t rc;
    do {
        rc = ::waitpid(pid_, &status, block ? 0 : WNOHANG);
    } while (rc < 0 && errno == EINTR);
    if (rc != pid_) {
        return false;
    }
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return true;
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!reap(false)) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return std::nullopt;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return exit_code_;
}

bool ChildProcess::running() {
    return !reap(false);
}

void ChildProcess::signal(int signal_number) {
    if (!reap(false)) {
        ::kill(-pid_, signal_number);
    }
}

int ChildProcess::stop(std::chrono::milliseconds grace) {
    signal(SIGTERM);
    if (const auto code = wait(grace)) {
        return *code;
    }
    signal(SIGKILL);
    reap(true);
    return *exit_code_;
}

std::string ChildProcess::stdout_text() const {
    return read_file(stdout_file_);
}

std::string ChildProcess::stderr_text() const {
    return read_file(stderr_file_);
}

std::string current_user_name() {
    const passwd* entry = ::getpwuid(::getuid());
    return entry != nullptr ? entry->pw_name : "root";
}

}  // namespace psguard::test
