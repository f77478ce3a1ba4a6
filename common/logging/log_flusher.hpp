// Flushes the log a moment after something was written, and never while nothing is: an idle
// agent does not wake up every few seconds to flush an empty buffer (spdlog's flush_every did:
// 5 wake-ups in 10 s on an idle Package Server). Warnings and errors are flushed at once by the
// logger itself (flush_on); this covers the rest, so a killed process leaves its log behind.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>

namespace psguard {

class LogFlusher {
  public:
    // `flush` runs on the flusher's thread, `delay` after the first line written since the last
    // flush (the lines that follow in that time join the same flush).
    LogFlusher(std::chrono::milliseconds delay, std::function<void()> flush);
    ~LogFlusher();  // stops the thread; what is pending is left to the owner's final flush
    LogFlusher(const LogFlusher&) = delete;
    LogFlusher& operator=(const LogFlusher&) = delete;

    // A line reached the sinks' buffers. Thread-safe; a no-op once stopped.
    void written();
    void stop();

    std::size_t flushes() const noexcept { return flushes_.load(); }

  private:
    void run(std::stop_token stop);

    const std::chrono::milliseconds delay_;
    const std::function<void()> flush_;
    std::mutex mutex_;
    std::condition_variable_any wake_;
    bool pending_ = false;
    std::atomic<std::size_t> flushes_{0};
    std::jthread thread_;  // last: started once everything above exists
};

}  // namespace psguard
