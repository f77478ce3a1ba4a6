// One HTTP exchange with a server under test on 127.0.0.1, on a connection and an io_context of
// its own: the endpoint's unit tests send raw bytes (also malformed ones) and read one answer.
#pragma once

// First: Boost 1.74's asio headers use std::exchange without including <utility>.
#include <utility>

#include <chrono>
#include <cstdint>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace psguard::test {

struct ExchangeAnswer {
    unsigned status = 0;  // 0: no answer (refused, closed, or the deadline passed)
    std::string body;
};

// Sends `bytes` and reads one answer within `deadline`.
inline ExchangeAnswer exchange_once(std::uint16_t port, const std::string& bytes,
                                    std::chrono::seconds deadline) {
    boost::asio::io_context io;
    boost::beast::tcp_stream stream(io);
    boost::beast::flat_buffer buffer;
    boost::beast::http::response<boost::beast::http::string_body> response;
    ExchangeAnswer answer;
    stream.expires_after(deadline);
    stream.async_connect(
        boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port),
        [&](boost::beast::error_code ec) {
            if (ec) {
                return;
            }
            boost::asio::async_write(stream, boost::asio::buffer(bytes),
                                     [&](boost::beast::error_code write_ec, std::size_t) {
                                         if (write_ec) {
                                             return;
                                         }
                                         boost::beast::http::async_read(
                                             stream, buffer, response,
                                             [&](boost::beast::error_code read_ec, std::size_t) {
                                                 if (!read_ec) {
                                                     answer.status = response.result_int();
                                                     answer.body = response.body();
                                                 }
                                             });
                                     });
        });
    io.run();
    return answer;
}

}  // namespace psguard::test
