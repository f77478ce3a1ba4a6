// Renders the documents a snapshot has not cached yet (rendered_documents.hpp) on a thread of its
// own: with thousands of packages /v1/packages or /metrics take many milliseconds to render, and
// on the status server's strand that would hold up every accept and every other connection.
#pragma once

// First: Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

#include <memory>
#include <mutex>
#include <optional>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>

#include "agent/agent_snapshot.hpp"
#include "core/result.hpp"

namespace psguard {

class DocumentRenderer {
  public:
    DocumentRenderer() = default;
    ~DocumentRenderer();  // close()
    DocumentRenderer(const DocumentRenderer&) = delete;
    DocumentRenderer& operator=(const DocumentRenderer&) = delete;

    // Renders `document` of `snapshot` into its RenderCache on the renderer's thread (started by
    // the first call) and resumes the caller on its own executor. The error: the render threw
    // ("internal error: ..."), or the renderer is closed. Renders queue: the same document asked
    // twice is rendered once, the second call finding it cached.
    boost::asio::awaitable<Status> render(std::shared_ptr<const AgentSnapshot> snapshot,
                                          RenderCache::Document document);

    // Lets the renders queued or running finish (their callers resume on their executors, which
    // must still exist) and ends the thread; later render() calls fail at once. Call it before
    // the executors' io_context goes away, never from the renderer's thread.
    void close();

  private:
    std::mutex mutex_;
    bool closed_ = false;
    std::optional<boost::asio::thread_pool> pool_;  // no thread until something needs rendering
};

}  // namespace psguard
