#include "logging/log_flusher.hpp"

#include <utility>

namespace psguard {

LogFlusher::LogFlusher(std::chrono::milliseconds delay, std::function<void()> flush)
    : delay_(delay),
      flush_(std::move(flush)),
      thread_([this](std::stop_token stop) { run(stop); }) {}

LogFlusher::~LogFlusher() {
    stop();
}

void LogFlusher::stop() {
    thread_.request_stop();  // wakes the waits below (condition_variable_any with a stop token)
    if (thread_.joinable()) {
        thread_.join();
    }
}

void LogFlusher::written() {
    {
        std::lock_guard lock(mutex_);
        if (pending_ || thread_.get_stop_token().stop_requested()) {
            return;  // a flush is already due, or nobody would do it
        }
        pending_ = true;
    }
    wake_.notify_one();
}

void LogFlusher::run(std::stop_token stop) {
    std::unique_lock lock(mutex_);
    for (;;) {
        // No timeout: asleep until a line is written.
        if (!wake_.wait(lock, stop, [this] { return pending_; })) {
            return;
        }
        // Then the delay, unless stopped (the owner flushes at the end).
        if (wake_.wait_for(lock, stop, delay_, [] { return false; }); stop.stop_requested()) {
            return;
        }
        pending_ = false;
        lock.unlock();
        flush_();
        ++flushes_;
        lock.lock();
    }
}

}  // namespace psguard
