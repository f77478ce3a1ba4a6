// The Package Service credential account: the agent's status writes run under it. As root, a
// forked child drops to the account (supplementary groups, then gid, then uid, every return
// checked) and does the work there, so the kernel checks the account's own rights (mode bits,
// POSIX ACLs, group membership) exactly as it would for the agent.
#pragma once

#include <sys/types.h>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace psguard::simulator {

struct Account {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;  // supplementary groups, as initgroups() would set them
};

// A --run-as that cannot work here (unknown user, or another user without root): usage error.
class RunAsUsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Looks the account up (name or numeric uid). Throws RunAsUsageError when it does not exist.
Account lookup_account(const std::string& name);

// True when `account` is the one this process already runs as (no drop needed).
bool is_current_account(const Account& account);

// Throws RunAsUsageError unless this process can act as `account`: it is that account, or root.
void check_can_run_as(const Account& account);

// Runs `work` as `account` and returns what it returned. Runs it in this process when it already
// is that account; otherwise (root) in a forked child that drops privileges first. Throws
// std::runtime_error when the child cannot drop privileges or dies.
std::string run_as(const Account& account, const std::function<std::string()>& work);

}  // namespace psguard::simulator
