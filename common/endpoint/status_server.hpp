// The local status endpoint: HTTP/1.1 (Boost.Beast) on loopback by default, over TLS when
// endpoint.tls is configured (endpoint_tls.hpp), answering the routes of routes.hpp. Concurrency:
// the acceptor and every connection run on one strand of the caller's io_context, so the server's
// state (connection registry, counters) needs no lock whatever number of threads runs that
// io_context. The one slow step, rendering a document the published snapshot has not cached yet,
// runs on a thread of the server's own (document_renderer.hpp) while its connection waits; the
// strand serves the others meanwhile. Limits (docs/endpoint.md): request header size (431), no body
// on GET (400), a small body on POST (413), a deadline for each whole request (then the connection
// is dropped), at most max_connections served at once (as many again get 503 and are closed; beyond
// those, accepting pauses until a connection ends), malformed requests get 400 and cost only their
// own connection.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "agent/agent_snapshot.hpp"
#include "core/result.hpp"
#include "endpoint/endpoint_config.hpp"

namespace psguard {

class StatusServer {
  public:
    // `agent` must outlive the server and the io_context's handlers; `io` must outlive the server.
    StatusServer(boost::asio::io_context& io, EndpointConfig config, AgentControl& agent);
    // stop(), then waits for a render in flight (milliseconds) and ends the render thread.
    ~StatusServer();
    StatusServer(const StatusServer&) = delete;
    StatusServer& operator=(const StatusServer&) = delete;

    // Validates the configuration, reads the token file (if configured; created with a new
    // token when missing) and the TLS files (if configured), binds and listens; accepting runs
    // on the io_context. Returns the bound port (the system's pick for port 0).
    Result<std::uint16_t> start();

    // Re-reads the TLS files (a renewed certificate): connections accepted from then on use
    // them, open ones keep theirs. An error (naming the file) keeps the current certificate.
    // Switching between plain HTTP and TLS needs a restart. Call from start()'s thread.
    Status reload_tls(const EndpointTlsConfig& tls);

    // The certificate served, for the log ("CN = ps01, valid until 2027-01-01T00:00:00Z");
    // empty without TLS. Set by start() and reload_tls().
    const std::string& tls_certificate() const { return tls_certificate_; }

    // From any thread: closes the acceptor and every connection on the server's strand. Returns
    // at once; the io_context runs out of the server's work as soon as that handler has run.
    void stop();

    struct State;

  private:
    std::shared_ptr<State> state_;
    std::string tls_certificate_;
};

}  // namespace psguard
