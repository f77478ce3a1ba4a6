// The log flusher: a flush a moment after lines were written, one for a burst, none while
// nothing is written (spdlog's flush_every, used before, woke the agent every 2 s forever).
#include "logging/log_flusher.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace psguard {
namespace {

using namespace std::chrono_literals;

// Waits for `count` flushes; a generous bound only a broken flusher reaches.
bool flushed(const LogFlusher& flusher, std::size_t count) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (flusher.flushes() < count) {
        if (std::chrono::steady_clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

TEST(LogFlusher, NothingWrittenNothingFlushed) {
    LogFlusher flusher(10ms, [] {});
    std::this_thread::sleep_for(200ms);  // twenty delays: a periodic flusher would have run
    EXPECT_EQ(flusher.flushes(), 0u);
}

TEST(LogFlusher, ABurstOfLinesIsFlushedOnceAfterTheDelay) {
    std::atomic<int> calls{0};
    LogFlusher flusher(50ms, [&calls] { ++calls; });
    for (int i = 0; i < 100; ++i) {
        flusher.written();
    }
    ASSERT_TRUE(flushed(flusher, 1));
    std::this_thread::sleep_for(200ms);  // and nothing more while nothing more is written
    EXPECT_EQ(flusher.flushes(), 1u);
    EXPECT_EQ(calls.load(), 1);

    flusher.written();
    ASSERT_TRUE(flushed(flusher, 2));
    EXPECT_EQ(calls.load(), 2);
}

TEST(LogFlusher, StoppingEndsAWaitAndLaterLinesAreIgnored) {
    LogFlusher flusher(std::chrono::hours(1), [] {});
    flusher.written();
    const auto before = std::chrono::steady_clock::now();
    flusher.stop();  // does not sit out the hour
    EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
    flusher.written();
    EXPECT_EQ(flusher.flushes(), 0u);
}

}  // namespace
}  // namespace psguard
