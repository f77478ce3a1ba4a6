// Which Event Log ID a logged message gets (event_record): log_event's ID at any level, any other
// warning or error as EventId::other, nothing for plain information. The Windows sink files the
// entries under these IDs (tests/wine/event_log.sh traces it under Wine).
#include <gtest/gtest.h>

#include <spdlog/sinks/base_sink.h>

#include <mutex>
#include <set>
#include <vector>

#include "logging/event_ids.hpp"

namespace psguard {
namespace {

// Keeps what the Event Log sink would be given.
class RecordingSink final : public spdlog::sinks::base_sink<std::mutex> {
  public:
    std::vector<std::pair<std::optional<EventRecord>, std::string>> seen;

  protected:
    void sink_it_(const spdlog::details::log_msg& message) override {
        seen.emplace_back(event_record(message),
                          std::string(message.payload.data(), message.payload.size()));
    }
    void flush_() override {}
};

class EventIds : public ::testing::Test {
  protected:
    EventIds() : previous_(spdlog::default_logger()) {
        auto logger = std::make_shared<spdlog::logger>("test", sink_);
        logger->set_level(spdlog::level::trace);
        spdlog::set_default_logger(logger);
    }
    ~EventIds() override { spdlog::set_default_logger(previous_); }

    std::shared_ptr<RecordingSink> sink_ = std::make_shared<RecordingSink>();
    std::shared_ptr<spdlog::logger> previous_;
};

TEST_F(EventIds, LoggedEventsKeepTheirIdAtAnyLevel) {
    log_event(EventId::service_started, spdlog::level::info, "psguard 0.1.0 starting");
    log_event(EventId::ns_unusable, spdlog::level::err, "NS UNUSABLE: refused");
    log_event(EventId::cycle_findings, spdlog::level::warn, "cycle (timer): 1 stale_on_ns");
    ASSERT_EQ(sink_->seen.size(), 3u);
    EXPECT_EQ(sink_->seen[0].first,
              (EventRecord{EventId::service_started, EventType::information}));
    EXPECT_EQ(sink_->seen[0].second, "psguard 0.1.0 starting");
    EXPECT_EQ(sink_->seen[1].first, (EventRecord{EventId::ns_unusable, EventType::error}));
    EXPECT_EQ(sink_->seen[2].first, (EventRecord{EventId::cycle_findings, EventType::warning}));
}

TEST_F(EventIds, OtherWarningsAndErrorsAreOtherAndInformationStaysOut) {
    spdlog::info("configuration reloaded");
    spdlog::debug("changed: x");
    spdlog::warn("no file watching");
    spdlog::error("status endpoint not started");
    spdlog::critical("boom");
    ASSERT_EQ(sink_->seen.size(), 5u);
    EXPECT_EQ(sink_->seen[0].first, std::nullopt);
    EXPECT_EQ(sink_->seen[1].first, std::nullopt);
    EXPECT_EQ(sink_->seen[2].first, (EventRecord{EventId::other, EventType::warning}));
    EXPECT_EQ(sink_->seen[3].first, (EventRecord{EventId::other, EventType::error}));
    EXPECT_EQ(sink_->seen[4].first, (EventRecord{EventId::other, EventType::error}));
}

TEST(EventIdList, IdsAreDistinctAndDocumented) {
    std::set<unsigned> ids;
    for (const EventId id : kAllEventIds) {
        EXPECT_TRUE(ids.insert(static_cast<unsigned>(id)).second) << static_cast<unsigned>(id);
    }
    EXPECT_EQ(ids,
              (std::set<unsigned>{1000, 1001, 2000, 2001, 2002, 3000, 3001, 3002, 3003, 9000}));
}

}  // namespace
}  // namespace psguard
