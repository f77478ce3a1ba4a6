// The routes of the status endpoint driven without sockets (endpoint/routes.hpp's handle), against
// a FakeAgent holding the sample snapshot (its report made by the real cycle): shared by the
// routes' and the status page's tests.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "endpoint/routes.hpp"
#include "unit/endpoint_fake_agent.hpp"

namespace psguard::test {

inline constexpr const char* kToken = "0123456789abcdef0123456789abcdef";

class RoutesFixture : public ::testing::Test {
  protected:
    RoutesFixture() {
        started_ = *parse_utc("2026-11-26T06:00:00Z");
        now_ = started_ + std::chrono::seconds(3600);
        agent_.set_snapshot(test::sample_snapshot(started_));
        options_.token = kToken;
    }

    Response get(const std::string& target, std::optional<std::string> authorization = {}) {
        return handle({"GET", target, std::move(authorization)}, agent_, options_, now_);
    }
    Response post(const std::string& target, std::optional<std::string> authorization = {}) {
        return handle({"POST", target, std::move(authorization)}, agent_, options_, now_);
    }
    static nlohmann::json body(const Response& response) {
        return nlohmann::json::parse(response.body);
    }
    static std::optional<std::string> header(const Response& response, const std::string& name) {
        for (const auto& [key, value] : response.headers) {
            if (key == name) {
                return value;
            }
        }
        return std::nullopt;
    }
    // Publishes a snapshot whose report the real cycle made over `scene`, then `change`d.
    void set_report(const std::function<void(AgentSnapshot&)>& change,
                    const CycleScene& scene = {}) {
        auto snapshot = test::sample_snapshot(started_, scene);
        change(*snapshot);
        agent_.set_snapshot(snapshot);
    }
    void set_scene(const CycleScene& scene) {
        set_report([](AgentSnapshot&) {}, scene);
    }
    // A value of the cycle's report changed (its shape cannot be: it is typed).
    static void change_report(AgentSnapshot& snapshot,
                              const std::function<void(CheckReport&)>& change) {
        CheckReport report = *snapshot.report;
        change(report);
        snapshot.report = std::make_shared<const CheckReport>(std::move(report));
    }

    FakeAgent agent_;
    RouteOptions options_;
    TimePoint started_;
    TimePoint now_;
};

}  // namespace psguard::test
