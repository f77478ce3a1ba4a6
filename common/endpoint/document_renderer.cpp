#include "endpoint/document_renderer.hpp"

#include <exception>
#include <string>

#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "endpoint/rendered_documents.hpp"
#include "platform/freed_heap.hpp"

namespace psguard {

namespace net = boost::asio;

namespace {

// As handle() answers a route that throws: the message, for a 500.
Status render_document_as_status(const AgentSnapshot& snapshot, RenderCache::Document document) {
    try {
        render_document(snapshot, document);
        return {};
    } catch (const std::exception& error) {
        return fail(std::string("internal error: ") + error.what());
    } catch (...) {
        return fail("internal error: an unknown exception");
    }
}

}  // namespace

DocumentRenderer::~DocumentRenderer() {
    close();
}

net::awaitable<Status> DocumentRenderer::render(std::shared_ptr<const AgentSnapshot> snapshot,
                                                RenderCache::Document document) {
    auto initiation = [this](auto handler, std::shared_ptr<const AgentSnapshot> to_render,
                             RenderCache::Document which) {
        // Keeps the caller's io_context running until the handler is queued there.
        auto resume = net::make_work_guard(net::get_associated_executor(handler));
        std::lock_guard lock(mutex_);
        if (closed_) {
            net::post(resume.get_executor(), [handler = std::move(handler)]() mutable {
                handler(Status(fail("the endpoint is stopping")));
            });
            return;
        }
        if (!pool_) {
            pool_.emplace(1);
        }
        net::post(*pool_, [handler = std::move(handler), resume = std::move(resume),
                           to_render = std::move(to_render), which]() mutable {
            Status rendered = render_document_as_status(*to_render, which);
            // The render's temporaries (a document's tree, its pieces) are freed by now; without
            // this the C library keeps them in the renderer thread's arena until the next cycle.
            return_freed_heap();
            net::dispatch(resume.get_executor(),
                          [handler = std::move(handler), rendered = std::move(rendered)]() mutable {
                              handler(std::move(rendered));
                          });
        });
    };
    co_return co_await net::async_initiate<decltype(net::use_awaitable), void(Status)>(
        std::move(initiation), net::use_awaitable, std::move(snapshot), document);
}

void DocumentRenderer::close() {
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
    }
    // Nothing is posted once closed_ is set: the queue only drains, then the thread ends.
    if (pool_) {
        pool_->join();
    }
}

}  // namespace psguard
