// The listener and its connections: HTTPS (or plain HTTP) on one io_context thread, with
// bounded reads, per-connection coroutines, and the scenario state they share.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "scenario.hpp"

namespace psguard::emulator {

struct ServerOptions {
    std::filesystem::path cert_dir;  // server.pem/.key and wrong-host.pem/.key
    std::string bind_address = "127.0.0.1";
    std::uint16_t port = 0;  // 0: the system picks a free one
    bool plain_http = false;
};

class Server {
  public:
    // Binds and listens immediately (so port() is known); accepting starts with start().
    // Throws std::runtime_error when the certificates or the address cannot be used.
    Server(boost::asio::io_context& io, const ServerOptions& options, Scenario scenario);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    std::uint16_t port() const;
    void start();
    void stop();  // closes the listener; open connections end with the io_context

    struct Shared;

  private:
    boost::asio::io_context& io_;
    std::shared_ptr<Shared> shared_;
    std::uint16_t port_ = 0;
};

}  // namespace psguard::emulator
