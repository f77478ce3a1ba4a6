// A scripted NS for the tests of the NS client and of the agent loop: it answers each request
// with the next outcome of its script and records what was asked. The real transports are tested
// against the NS emulator over TLS in tests/integration.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "ns/http_transport.hpp"

namespace psguard::test {

inline TransportOutcome http_answer(int status, std::string body = "") {
    return {HttpResponse{status, "text/xml", std::move(body)}, std::nullopt};
}

inline TransportOutcome transport_failure(TransportFailure kind, std::string message) {
    return {std::nullopt, TransportError{kind, std::move(message)}};
}

// Thread-safe: the agent loop asks on its own thread while the test scripts and reads. One
// script serves every transport made from it (the loop builds an NS client per cycle).
class TransportScript {
  public:
    explicit TransportScript(std::deque<TransportOutcome> outcomes = {})
        : outcomes_(std::move(outcomes)) {}
    TransportScript(const TransportScript&) = delete;
    TransportScript& operator=(const TransportScript&) = delete;

    // Answered after the outcomes scripted before it.
    void then(TransportOutcome outcome) {
        std::lock_guard lock(mutex_);
        outcomes_.push_back(std::move(outcome));
    }

    // Every request so far, as "path?form body".
    std::vector<std::string> requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }

    // A transport answering from this script, which must outlive it.
    std::unique_ptr<HttpTransport> transport() { return std::make_unique<Transport>(*this); }

  private:
    class Transport final : public HttpTransport {
      public:
        explicit Transport(TransportScript& script) : script_(script) {}
        TransportOutcome post_form(const std::string& path, const std::string& body) override {
            return script_.answer(path, body);
        }

      private:
        TransportScript& script_;
    };

    TransportOutcome answer(const std::string& path, const std::string& body) {
        std::lock_guard lock(mutex_);
        requests_.push_back(path + "?" + body);
        if (outcomes_.empty()) {
            // A request the test did not expect: an NS failure the test's checks will show.
            return transport_failure(TransportFailure::protocol, "the test scripted no answer");
        }
        TransportOutcome next = std::move(outcomes_.front());
        outcomes_.pop_front();
        return next;
    }

    mutable std::mutex mutex_;
    std::deque<TransportOutcome> outcomes_;
    std::vector<std::string> requests_;
};

}  // namespace psguard::test
