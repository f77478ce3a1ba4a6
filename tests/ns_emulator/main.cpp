// psguard-ns-emulator: a stand-in for the Symantec Notification Server's ASDK report service,
// for integration tests and the demo. Independent of psguard's own code on purpose.
#include <csignal>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "pki/certs.hpp"
#include "scenario.hpp"
#include "server.hpp"

namespace {

namespace fs = std::filesystem;
using namespace psguard::emulator;
using psguard::test::CertOptions;
using psguard::test::make_certs;

// Readers poll for the file: they must never see it half-written.
void write_port_file(const fs::path& file, std::uint16_t port) {
    const fs::path temporary = file.string() + ".tmp";
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << port << '\n';
        if (!out.flush()) {
            throw std::runtime_error("cannot write " + temporary.string());
        }
    }
    fs::rename(temporary, file);
}

int serve(const ServerOptions& options, const fs::path& scenario_file,
          const std::string& port_file) {
    Scenario scenario = load_scenario(scenario_file);
    boost::asio::io_context io(1);
    Server server(io, options, std::move(scenario));
    server.start();

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
        if (!ec) {
            server.stop();
            io.stop();
        }
    });

    // The port file last: whoever waits for it finds the announcement already written.
    std::cout << "listening on " << options.bind_address << ':' << server.port() << std::endl;
    if (!port_file.empty()) {
        write_port_file(port_file, server.port());
    }
    io.run();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"psguard-ns-emulator: an HTTPS stand-in for the Symantec NS report service"};
    app.require_subcommand(1);

    CertOptions certs;
    auto* make_certs_command = app.add_subcommand(
        "make-certs", "write a test CA, server, wrong-host and client certificates");
    make_certs_command->add_option("--dir", certs.dir, "output folder")->required();
    make_certs_command->add_option("--host", certs.host, "DNS name in the server certificate")
        ->capture_default_str();
    make_certs_command->add_option("--ip", certs.ip, "IP address in the server certificate")
        ->capture_default_str();

    ServerOptions options;
    fs::path scenario_file;
    std::string port_file;
    auto* serve_command = app.add_subcommand("serve", "answer like the NS");
    serve_command->add_option("--cert-dir", options.cert_dir, "folder written by make-certs");
    serve_command->add_option("--scenario", scenario_file, "scenario JSON")->required();
    serve_command->add_option("--port", options.port, "0 picks a free port")->capture_default_str();
    serve_command->add_option("--bind", options.bind_address, "listen address")
        ->capture_default_str();
    serve_command->add_option("--port-file", port_file, "write the chosen port here");
    serve_command->add_flag("--plain-http", options.plain_http, "no TLS");

    CLI11_PARSE(app, argc, argv);

    try {
        if (*make_certs_command) {
            make_certs(certs);
            return 0;
        }
        if (!options.plain_http && options.cert_dir.empty()) {
            std::cerr << "serve: --cert-dir is required unless --plain-http\n";
            return 2;
        }
        return serve(options, scenario_file, port_file);
    } catch (const std::exception& error) {
        std::cerr << "psguard-ns-emulator: " << error.what() << '\n';
        return 1;
    }
}
