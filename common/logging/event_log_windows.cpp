#include <windows.h>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <mutex>

#include "logging/event_ids.hpp"
#include "logging/logging.hpp"
#include "platform/win_handle.hpp"
#include "platform/win_text.hpp"

namespace psguard {
namespace {

using EventSource = BasicWinHandle<&::DeregisterEventSource>;

WORD win_type(EventType type) {
    switch (type) {
        case EventType::error:
            return EVENTLOG_ERROR_TYPE;
        case EventType::warning:
            return EVENTLOG_WARNING_TYPE;
        case EventType::information:
            break;
    }
    return EVENTLOG_INFORMATION_TYPE;
}

// The Application log, source "psguard" (registered with psguard.exe as its EventMessageFile by
// `psguard service install` and the MSI): each entry under its event ID, the message as the one
// insertion string (%1) of that ID's text in the message table.
class EventLogSink final : public spdlog::sinks::base_sink<std::mutex> {
  public:
    explicit EventLogSink(EventSource source) : source_(std::move(source)) {
        // The message alone, no line end: time and level are the Event Log's own fields.
        set_formatter(std::make_unique<spdlog::pattern_formatter>(
            "%v", spdlog::pattern_time_type::local, std::string()));
    }

  protected:
    void sink_it_(const spdlog::details::log_msg& message) override {
        const auto record = event_record(message);
        if (!record) {
            return;
        }
        spdlog::memory_buf_t text;
        formatter_->format(message, text);
        const std::wstring wide = to_wide(std::string_view(text.data(), text.size()));
        LPCWSTR strings[] = {wide.c_str()};
        ReportEventW(source_.get(), win_type(record->type), 0, static_cast<DWORD>(record->id),
                     nullptr, 1, 0, strings, nullptr);
    }
    void flush_() override {}

  private:
    EventSource source_;
};

}  // namespace

bool add_event_log_sink() {
    EventSource source(RegisterEventSourceW(nullptr, L"psguard"));
    if (!source) {
        return false;
    }
    spdlog::default_logger()->sinks().push_back(std::make_shared<EventLogSink>(std::move(source)));
    return true;
}

}  // namespace psguard
