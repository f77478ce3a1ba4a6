// Test helper for the status endpoint: a fake AgentControl and a snapshot shaped like the agent
// loop's. The loop is faked because it is not the subject of the endpoint's tests; the real
// binary is tested end to end elsewhere. The report is built through the real to_json of
// CheckReport, so the endpoint reads exactly the shapes a cycle produces.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "agent/agent_snapshot.hpp"
#include "cycle/check_report.hpp"

namespace psguard::test {

inline constexpr const char* kHealthyId = "{6c821f5e-0000-4000-8000-000000000001}";
inline constexpr const char* kStaleId = "{6d417916-0000-4000-8000-000000000002}";
inline constexpr const char* kUnknownVerdictId = "{7e000000-0000-4000-8000-000000000003}";

class FakeAgent final : public AgentControl {
  public:
    std::shared_ptr<const AgentSnapshot> snapshot() const override {
        std::lock_guard lock(mutex_);
        if (throw_on_snapshot_) {
            throw std::runtime_error("snapshot exploded");
        }
        return snapshot_;
    }
    TriggerResult request_cycle() override {
        std::lock_guard lock(mutex_);
        ++cycle_requests_;
        return busy_ ? TriggerResult::busy : TriggerResult::accepted;
    }
    bool healthy(TimePoint) const override { return healthy_; }

    void set_snapshot(std::shared_ptr<const AgentSnapshot> snapshot) {
        std::lock_guard lock(mutex_);
        snapshot_ = std::move(snapshot);
    }
    void set_busy(bool busy) {
        std::lock_guard lock(mutex_);
        busy_ = busy;
    }
    void set_healthy(bool healthy) { healthy_ = healthy; }
    void set_throw_on_snapshot(bool value) {
        std::lock_guard lock(mutex_);
        throw_on_snapshot_ = value;
    }
    int cycle_requests() const {
        std::lock_guard lock(mutex_);
        return cycle_requests_;
    }

  private:
    mutable std::mutex mutex_;
    std::shared_ptr<const AgentSnapshot> snapshot_;
    bool busy_ = false;
    bool throw_on_snapshot_ = false;
    std::atomic<bool> healthy_{true};
    int cycle_requests_ = 0;
};

// A cycle's report: NS usable, one healthy package, one stale on the NS, one without verdict,
// a heal phase with budget and no breaker.
inline CheckReport sample_report() {
    CheckReport report;
    report.server = "PS01";
    report.ns.url = "https://ns.example.com";
    report.ns.reachable = true;
    report.ns.usable = true;
    report.ns.rows = 2;
    report.ns.attempts = 1;
    report.packages.push_back({kHealthyId, "Office", Verdict::healthy, "Ready on both",
                               LocalView{"Ready", "1601867730"},
                               NsView{"Ready", "1601867730", "1601867730"}});
    report.packages.push_back({kStaleId, "Java", Verdict::stale_on_ns, "Ready here, Invalid on NS",
                               LocalView{"Ready", "7"}, NsView{"Invalid", "7", "7"}});
    report.packages.push_back(
        {kUnknownVerdictId, "", std::nullopt, "NS unknown", LocalView{"Ready", "3"}, std::nullopt});
    HealReport heal;
    heal.budget_left_today = 49;
    report.heal = heal;
    return report;
}

inline std::shared_ptr<AgentSnapshot> sample_snapshot(TimePoint started) {
    auto snapshot = std::make_shared<AgentSnapshot>();
    snapshot->version = "0.1.0";
    snapshot->started = started;
    snapshot->interval = std::chrono::minutes(15);
    snapshot->heal_enabled = true;
    snapshot->last_cycle =
        CycleSummary{started + std::chrono::seconds(60), std::chrono::milliseconds(2500),
                     kExitFindings, "timer", "full"};
    snapshot->report = to_json(sample_report());
    snapshot->journal = nlohmann::json::array(
        {{{"id", "20261126T063000Z-6d417916-1"}, {"package", kStaleId}, {"result", "verified"}}});
    snapshot->settings = {{"server", "PS01"}, {"ns_url", "https://ns.example.com"}};
    snapshot->cycles_total = 3;
    snapshot->cycles_by_trigger = {{"start", 1}, {"timer", 2}};
    snapshot->heal_actions_total = {{"done", 1}, {"verified", 1}};
    snapshot->ns_failures_total = 1;
    return snapshot;
}

// What issue 8's cycle adds to the report: ACL entries, evidence, diagnosis, the event queue.
inline void add_evidence_and_acl(nlohmann::json& report, bool acl_ok) {
    report["acl"] = nlohmann::json::array({{{"path", "/srv/Package Delivery"},
                                            {"account", "DOMAIN\\svc-ps"},
                                            {"resolved", true},
                                            {"ok", true},
                                            {"required", {"modify"}},
                                            {"granted", {"modify"}},
                                            {"missing", nlohmann::json::array()},
                                            {"denied_by", nlohmann::json::array()},
                                            {"partial", false}},
                                           {{"path", "/srv/PackageStatus"},
                                            {"account", "DOMAIN\\svc-ps"},
                                            {"resolved", true},
                                            {"ok", acl_ok},
                                            {"required", {"modify"}},
                                            {"granted", {"read"}},
                                            {"missing", {"write"}},
                                            {"denied_by", nlohmann::json::array()},
                                            {"partial", false}}});
    report["evidence"] = nlohmann::json::array(
        {{{"kind", "access_denied"},
          {"time", "May 16 11:51:05"},
          {"source", "CreateDirectoryPath"},
          {"message", "Cannot create directory: 0x80070005 [Access is denied]"},
          {"where", "agent.log:120"},
          {"package", nullptr}}});
    report["evidence_counts"] = {{"access_denied", {{"total", 4}, {"shown", 1}}}};
    report["diagnosis"] = {{"cause", "acl"}, {"evidence", {0}}};
    report["event_queue"] = {
        {"dir", "/q"}, {"waiting", 12}, {"sent", 3}, {"blocked", 1}, {"disabled", 0}};
}

}  // namespace psguard::test
