#include "cycle/state_dir.hpp"

#include "core/utf8_path.hpp"

namespace psguard {

StateDir::StateDir(std::filesystem::path dir, FileLock lock)
    : dir_(std::move(dir)), lock_(std::move(lock)), journal_(dir_ / "journal.jsonl") {}

Result<std::unique_ptr<StateDir>> StateDir::open(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        return fail("cannot create the state folder " + path_to_utf8(dir) + ": " + ec.message());
    }
#ifndef _WIN32
    // Journal and quarantine are for administrators only.
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
#endif
    auto lock = FileLock::try_acquire(dir / "psguard.lock");
    if (!lock) {
        return lock.error();
    }
    std::unique_ptr<StateDir> state(new StateDir(dir, std::move(lock).value()));
    if (auto loaded = state->journal_.load(); !loaded) {
        return loaded.error();
    }
    auto history = load_history(dir / "history.json");
    if (!history) {
        return history.error();
    }
    state->history_ = std::move(history).value();
    return state;
}

Status StateDir::save_history() const {
    return psguard::save_history(dir_ / "history.json", history_);
}

}  // namespace psguard
