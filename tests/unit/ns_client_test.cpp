// The NS client's policy, driven through a scripted transport (the real transports are tested
// against the NS emulator over TLS in tests/integration): which answers are retried, how long it
// waits, what a stop during the wait does, and what each failure is called.
#include "ns/ns_client.hpp"

#include <gtest/gtest.h>

#include <deque>

#include "unit/cycle_report_fixture.hpp"
#include "unit/scripted_transport.hpp"

namespace psguard {
namespace {

using namespace std::chrono_literals;

using test::http_answer;
using test::transport_failure;

TransportOutcome report_of_one_ready_package() {
    return test::dataset_answer(
        {{"{6d417916-1234-4abc-9def-0123456789a1}", "Adobe Reader", "Ready", "1601867730"}});
}

class NsClientTest : public ::testing::Test {
  protected:
    NsClientTest() {
        config.url = "https://ns.example.com";
        config.report_guid = "{a1b2c3d4-0000-4000-8000-000000000001}";
        config.max_retries = 2;
        config.retry_backoff = 1000ms;
    }

    NsFetch fetch(std::deque<TransportOutcome> script, bool stop_during_first_wait = false) {
        for (auto& outcome : script) {
            ns.then(std::move(outcome));
        }
        NsClient client(config, "PS01", ns.transport(),
                        [this, stop_during_first_wait](std::chrono::milliseconds delay) {
                            waits.push_back(delay);
                            return !stop_during_first_wait;
                        });
        return client.fetch_package_states();
    }

    NsConfig config;
    test::TransportScript ns;
    std::vector<std::chrono::milliseconds> waits;
};

TEST_F(NsClientTest, AsksForThisPackageServersReport) {
    const NsFetch result = fetch({report_of_one_ready_package()});
    ASSERT_TRUE(result.answer) << result.error;
    EXPECT_EQ(result.answer->rows.size(), 1u);
    EXPECT_EQ(result.attempts, 1);
    const auto requests = ns.requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0], std::string(kRunReportPath) +
                               "?reportItemGuid=%7Ba1b2c3d4-0000-4000-8000-000000000001%7D"
                               "&nameValuePairs=PackageServer%3DPS01");
    EXPECT_TRUE(waits.empty());
}

TEST_F(NsClientTest, ServerErrorsAndTimeoutsAreRetriedWithADoublingWait) {
    const NsFetch result =
        fetch({http_answer(503), transport_failure(TransportFailure::timeout, "timed out"),
               report_of_one_ready_package()});
    ASSERT_TRUE(result.answer) << result.error;
    EXPECT_EQ(result.attempts, 3);
    EXPECT_EQ(waits, (std::vector<std::chrono::milliseconds>{1000ms, 2000ms}));
}

TEST_F(NsClientTest, AfterTheLastRetryTheServerErrorIsTheFailure) {
    const NsFetch result = fetch({http_answer(500, "<html>Runtime Error</html>"), http_answer(502),
                                  http_answer(503, "Service Unavailable")});
    EXPECT_FALSE(result.answer);
    EXPECT_EQ(result.failure, NsFailure::server);
    EXPECT_EQ(result.http_status, 503);
    EXPECT_EQ(result.attempts, 3);
    EXPECT_NE(result.error.find("answered HTTP 503 after 3 attempts"), std::string::npos)
        << result.error;
}

TEST_F(NsClientTest, RefusedCredentialsAndRefusedConnectionsAreNotRetried) {
    NsFetch result = fetch({http_answer(401)});
    EXPECT_EQ(result.failure, NsFailure::credential);
    EXPECT_EQ(result.attempts, 1);
    EXPECT_NE(result.error.find("HTTP 401"), std::string::npos) << result.error;

    result = fetch({transport_failure(TransportFailure::connect, "connection refused")});
    EXPECT_EQ(result.failure, NsFailure::unreachable);
    EXPECT_EQ(result.attempts, 1);
    EXPECT_TRUE(waits.empty());
}

TEST_F(NsClientTest, AStopDuringTheWaitEndsTheRetriesWithTheLastAnswer) {
    const NsFetch result = fetch({http_answer(503), report_of_one_ready_package()}, true);
    EXPECT_FALSE(result.answer);
    EXPECT_EQ(result.failure, NsFailure::server);
    EXPECT_EQ(result.attempts, 1);
    EXPECT_EQ(ns.requests().size(), 1u);
    EXPECT_NE(result.error.find("retries cut short by a stop or reload"), std::string::npos)
        << result.error;
}

TEST_F(NsClientTest, AnAnswerThatIsNotAReportIsUnusableAndSaysWhatArrived) {
    NsFetch result = fetch({http_answer(200, "")});
    EXPECT_EQ(result.failure, NsFailure::unusable);
    EXPECT_FALSE(result.error.empty());

    result = fetch({transport_failure(TransportFailure::too_large, "the answer exceeds 32 MiB")});
    EXPECT_EQ(result.failure, NsFailure::unusable);
    EXPECT_NE(result.error.find("32 MiB"), std::string::npos) << result.error;
}

}  // namespace
}  // namespace psguard
