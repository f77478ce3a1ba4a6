#include "run_as.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <vector>

namespace psguard::simulator {
namespace {

std::string error_text(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
}

// Writes everything or gives up; used in the child, where nothing else can be done on failure.
bool write_all_to_pipe(int fd, const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t written = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        done += static_cast<std::size_t>(written);
    }
    return true;
}

// In the child: become the account for good. Returns an error message, empty on success.
std::string drop_privileges(const Account& account) {
    if (::setgroups(account.groups.size(), account.groups.data()) != 0) {
        return error_text("setgroups");
    }
    if (::setgid(account.gid) != 0) {
        return error_text("setgid");
    }
    if (::setuid(account.uid) != 0) {
        return error_text("setuid");
    }
    if (::getuid() != account.uid || ::geteuid() != account.uid || ::getgid() != account.gid ||
        ::getegid() != account.gid) {
        return "the ids did not change as asked";
    }
    // A proper drop cannot be undone.
    if (account.uid != 0 && ::setuid(0) == 0) {
        return "root could be regained after setuid";
    }
    return {};
}

// The child's whole life: never returns.
[[noreturn]] void child_main(int pipe_fd, const Account& account,
                             const std::function<std::string()>& work) {
    std::string message;
    int code = 0;
    if (const std::string failure = drop_privileges(account); !failure.empty()) {
        message = "E" + failure;
        code = 3;
    } else {
        try {
            message = "R" + work();
        } catch (const std::exception& error) {
            message = std::string("E") + error.what();
            code = 4;
        } catch (...) {
            message = "Eunknown failure";
            code = 4;
        }
    }
    if (!write_all_to_pipe(pipe_fd, message)) {
        code = 5;
    }
    ::close(pipe_fd);
    // _exit: no atexit handlers and no stdio flush in the child.
    ::_exit(code);
}

}  // namespace

Account lookup_account(const std::string& name) {
    long size_hint = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buffer(size_hint > 0 ? static_cast<std::size_t>(size_hint) : 16384);
    passwd entry{};
    passwd* found = nullptr;
    int rc = 0;
    while ((rc = ::getpwnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found)) ==
           ERANGE) {
        buffer.resize(buffer.size() * 2);
    }
    if (rc == 0 && found == nullptr) {
        // Not a name: a numeric uid?
        uid_t uid = 0;
        const auto [end, parse] = std::from_chars(name.data(), name.data() + name.size(), uid);
        if (parse == std::errc() && end == name.data() + name.size() && !name.empty()) {
            while ((rc = ::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found)) ==
                   ERANGE) {
                buffer.resize(buffer.size() * 2);
            }
        }
    }
    if (rc != 0) {
        throw RunAsUsageError("--run-as " + name +
                              ": cannot look the account up: " + std::strerror(rc));
    }
    if (found == nullptr) {
        throw RunAsUsageError("--run-as " + name + ": no such account on this host");
    }
    Account account{found->pw_name, found->pw_uid, found->pw_gid, {}};

    // The account's groups, as initgroups() would compute them (done here, before any fork).
    int count = 32;
    std::vector<gid_t> groups(static_cast<std::size_t>(count));
    while (::getgrouplist(account.name.c_str(), account.gid, groups.data(), &count) < 0) {
        groups.resize(static_cast<std::size_t>(count) + 32);
        count = static_cast<int>(groups.size());
    }
    groups.resize(static_cast<std::size_t>(count));
    account.groups = std::move(groups);
    return account;
}

bool is_current_account(const Account& account) {
    return ::geteuid() == account.uid && ::getuid() == account.uid;
}

void check_can_run_as(const Account& account) {
    if (is_current_account(account) || ::geteuid() == 0) {
        return;
    }
    throw RunAsUsageError("--run-as " + account.name + " needs root: this process runs as uid " +
                          std::to_string(::geteuid()) + " and cannot act as uid " +
                          std::to_string(account.uid));
}

std::string run_as(const Account& account, const std::function<std::string()>& work) {
    if (is_current_account(account)) {
        return work();
    }
    check_can_run_as(account);

    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        throw std::runtime_error(error_text("pipe"));
    }
    // Nothing buffered may be written twice.
    std::cout.flush();
    std::fflush(nullptr);
    const pid_t child = ::fork();
    if (child < 0) {
        const std::string failure = error_text("fork");
        ::close(fds[0]);
        ::close(fds[1]);
        throw std::runtime_error(failure);
    }
    if (child == 0) {
        ::close(fds[0]);
        child_main(fds[1], account, work);
    }
    ::close(fds[1]);

    std::string message;
    char chunk[4096];
    for (;;) {
        const ssize_t got = ::read(fds[0], chunk, sizeof chunk);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            break;
        }
        message.append(chunk, static_cast<std::size_t>(got));
    }
    ::close(fds[0]);

    int status = 0;
    while (::waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) {
            throw std::runtime_error(error_text("waitpid"));
        }
    }
    if (WIFSIGNALED(status)) {
        throw std::runtime_error("the child running as " + account.name + " died of signal " +
                                 std::to_string(WTERMSIG(status)));
    }
    if (message.empty() || message.front() != 'R' || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        const std::string detail = message.size() > 1 ? message.substr(1) : "no answer";
        throw std::runtime_error("acting as " + account.name + " failed: " + detail);
    }
    return message.substr(1);
}

}  // namespace psguard::simulator
