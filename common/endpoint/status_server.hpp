// The local status endpoint: plain HTTP/1.1 (Boost.Beast) on loopback by default, answering the
// routes of routes.hpp. Concurrency: the acceptor and every connection run on one strand of the
// caller's io_context, so the server's state (connection registry, counters) needs no lock
// whatever number of threads runs that io_context. Limits (docs/endpoint.md): request header
// size (431), no body on GET (400), a small body on POST (413), a deadline for each whole
// request (then the connection is dropped), at most max_connections served at once (as many
// again get 503 and are closed; beyond those, accepting pauses until a connection ends),
// malformed requests get 400 and cost only their own connection.
#pragma once

#include <cstdint>
#include <memory>

#include <boost/asio/io_context.hpp>

#include "agent/agent_snapshot.hpp"
#include "core/result.hpp"
#include "endpoint/endpoint_config.hpp"

namespace psguard {

class StatusServer {
  public:
    // `agent` must outlive the server and the io_context's handlers.
    StatusServer(boost::asio::io_context& io, EndpointConfig config, AgentControl& agent);
    ~StatusServer();  // stop()
    StatusServer(const StatusServer&) = delete;
    StatusServer& operator=(const StatusServer&) = delete;

    // Validates the configuration, reads the token file (if configured; created with a new
    // token when missing), binds and listens; accepting runs on the io_context. Returns the
    // bound port (the system's pick for port 0).
    Result<std::uint16_t> start();

    // From any thread: closes the acceptor and every connection on the server's strand. Returns
    // at once; the io_context runs out of the server's work as soon as that handler has run.
    void stop();

    struct State;

  private:
    std::shared_ptr<State> state_;
};

}  // namespace psguard
