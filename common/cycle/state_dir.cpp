#include "cycle/state_dir.hpp"

#include <fstream>
#include <iterator>

#include "core/utf8_path.hpp"
#include "platform/file_ops.hpp"

namespace psguard {

StateDir::StateDir(std::filesystem::path dir, FileLock lock)
    : dir_(std::move(dir)), lock_(std::move(lock)), journal_(dir_ / "journal.jsonl") {}

Status create_state_folder(const std::filesystem::path& dir) {
    std::error_code ec;
    const bool created = std::filesystem::create_directories(dir, ec);
    if (ec) {
        return fail("cannot create the state folder " + path_to_utf8(dir) + ": " + ec.message());
    }
#ifndef _WIN32
    // Journal and quarantine are for administrators only. A folder psguard did not create keeps
    // the permissions its owner gave it (an ACL'd folder must not get its mask rewritten).
    if (created) {
        std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                                     std::filesystem::perm_options::replace, ec);
        if (ec) {
            return fail("cannot make the state folder " + path_to_utf8(dir) +
                        " private: " + ec.message());
        }
    }
#else
    (void)created;
#endif
    return {};
}

Result<std::unique_ptr<StateDir>> StateDir::open(const std::filesystem::path& dir) {
    if (auto folder = create_state_folder(dir); !folder) {
        return folder.error();
    }
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

namespace psguard {

EvidenceState& StateDir::evidence(const EvidenceConfig& config) {
    if (!evidence_) {
        std::ifstream in(dir_ / "evidence.json", std::ios::binary);
        const std::string text((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
        auto document = nlohmann::json::parse(text, nullptr, false);
        if (!document.is_discarded()) {
            if (auto loaded = EvidenceState::from_json(document, config)) {
                evidence_.emplace(std::move(loaded).value());
            }
        }
        if (!evidence_) {
            evidence_.emplace(config);
        }
    }
    return *evidence_;
}

Status StateDir::save_evidence() const {
    if (!evidence_) {
        return {};
    }
    return write_atomically(
        dir_ / "evidence.json",
        evidence_->to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

Status StateDir::save_last_report(const nlohmann::json& report) const {
    return write_atomically(last_report_file(dir_), report.dump(2) + "\n");
}

}  // namespace psguard
