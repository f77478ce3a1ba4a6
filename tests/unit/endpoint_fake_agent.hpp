// Test helper for the status endpoint: a fake AgentControl and a snapshot shaped like the agent
// loop's. The loop is faked because it is not the subject of the endpoint's tests; the real
// binary is tested end to end elsewhere. The report is made by the real cycle
// (cycle_report_fixture.hpp), so the endpoint reads exactly what a cycle produces.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "agent/agent_snapshot.hpp"
#include "cycle/check_report.hpp"
#include "support/sample_agent_snapshot.hpp"
#include "unit/cycle_report_fixture.hpp"

namespace psguard::test {

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

// The agent's snapshot after a few cycles, the last one's report from the real cycle over `scene`.
inline std::shared_ptr<AgentSnapshot> sample_snapshot(TimePoint started,
                                                      const CycleScene& scene = {}) {
    return sample_agent_snapshot(started, std::make_shared<const CheckReport>(cycle_report(scene)),
                                 kStaleId);
}

}  // namespace psguard::test
