// bmx-sandbox: a local stand-in for ButterflyMX for tests and the demo.
// usage: bmx-sandbox [--address A] [--port P] [--smtp-port S] [--port-file F]
//   defaults 127.0.0.1, $BMX_SANDBOX_PORT or 8090 (HTTP) and $BMX_SANDBOX_SMTP_PORT or
//   2525 (SMTP); 0 picks a free port. --port-file writes the HTTP and SMTP ports that
//   were bound, one per line (for test harnesses).
// Environment: BMX_SANDBOX_CLIENT_ID, BMX_SANDBOX_CLIENT_SECRET (the OAuth client
// frontdoor uses).
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "frontdoor/common/log.hpp"
#include "frontdoor/http/dispatcher.hpp"
#include "frontdoor/http/server.hpp"
#include "sandbox.hpp"
#include "smtp.hpp"

namespace {

int usage() {
  std::cerr << "usage: bmx-sandbox [--address A] [--port P] [--smtp-port S] [--port-file F]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  frontdoor::http::ServerOptions server;
  server.port = 8090;
  // Injected delays hold a worker each; leave room for the calls that are not delayed.
  server.worker_threads = 32;
  // The environment is read before any thread starts.
  if (const char* port = std::getenv("BMX_SANDBOX_PORT")) {  // NOLINT(concurrency-mt-unsafe)
    server.port = static_cast<std::uint16_t>(std::atoi(port));
  }
  std::string port_file;
  std::uint16_t smtp_port = 2525;
  if (const char* port = std::getenv("BMX_SANDBOX_SMTP_PORT")) {  // NOLINT(concurrency-mt-unsafe)
    smtp_port = static_cast<std::uint16_t>(std::atoi(port));
  }
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) return usage();
    if (flag == "--port") {
      server.port = static_cast<std::uint16_t>(std::atoi(argv[i + 1]));
    } else if (flag == "--address") {
      server.address = argv[i + 1];
    } else if (flag == "--smtp-port") {
      smtp_port = static_cast<std::uint16_t>(std::atoi(argv[i + 1]));
    } else if (flag == "--port-file") {
      port_file = argv[i + 1];
    } else {
      return usage();
    }
  }
  bmx_sandbox::Options options;
  if (const char* id = std::getenv("BMX_SANDBOX_CLIENT_ID")) {  // NOLINT(concurrency-mt-unsafe)
    options.client_id = id;
  }
  if (const char* secret =
          std::getenv("BMX_SANDBOX_CLIENT_SECRET")) {  // NOLINT(concurrency-mt-unsafe)
    options.client_secret = secret;
  }

  frontdoor::common::log::init("info");
  bmx_sandbox::Sandbox sandbox(options);
  frontdoor::http::Router router;
  sandbox.add_routes(router);
  frontdoor::http::Metrics metrics;
  frontdoor::http::Dispatcher dispatcher(router, metrics);
  frontdoor::http::Server http(
      server, {.handle = [&](frontdoor::http::Request& r) { return dispatcher.handle(r); },
               .reject = [&](frontdoor::http::Request& r,
                             int status) { return dispatcher.reject(r, status); }});
  http.start();
  bmx_sandbox::SmtpListener smtp(
      server.address, smtp_port,
      [&](const std::string& from, const std::vector<std::string>& to, const std::string& data) {
        sandbox.receive_email(from, to, data);
      });
  sandbox.set_public_url("http://" + server.address + ":" + std::to_string(http.port()));
  if (!port_file.empty()) {
    // Written whole under another name, then renamed: a reader never sees half a port.
    const auto partial = port_file + ".partial";
    std::ofstream(partial) << http.port() << "\n" << smtp.port() << "\n";
    std::rename(partial.c_str(), port_file.c_str());
  }
  frontdoor::common::log::info("bmx-sandbox listening",
                               {{"port", http.port()}, {"smtp_port", smtp.port()}});
  http.run_until_signalled();
  return 0;
}
