// bmx-sandbox: a local stand-in for ButterflyMX for tests and the demo.
// usage: bmx-sandbox [--address A] [--port P] [--port-file F]
//   defaults 127.0.0.1 and $BMX_SANDBOX_PORT or 8090; --port 0 picks a free port,
//   and --port-file writes the port that was bound (for test harnesses).
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

namespace {

int usage() {
  std::cerr << "usage: bmx-sandbox [--address A] [--port P] [--port-file F]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  frontdoor::http::ServerOptions server;
  server.port = 8090;
  // Injected delays hold a worker each; leave room for the calls that are not delayed.
  server.worker_threads = 32;
  if (const char* port = std::getenv("BMX_SANDBOX_PORT")) {
    server.port = static_cast<std::uint16_t>(std::atoi(port));
  }
  std::string port_file;
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) return usage();
    if (flag == "--port") {
      server.port = static_cast<std::uint16_t>(std::atoi(argv[i + 1]));
    } else if (flag == "--address") {
      server.address = argv[i + 1];
    } else if (flag == "--port-file") {
      port_file = argv[i + 1];
    } else {
      return usage();
    }
  }
  bmx_sandbox::Options options;
  if (const char* id = std::getenv("BMX_SANDBOX_CLIENT_ID")) options.client_id = id;
  if (const char* secret = std::getenv("BMX_SANDBOX_CLIENT_SECRET")) options.client_secret = secret;

  frontdoor::common::log::init("info");
  bmx_sandbox::Sandbox sandbox(options);
  frontdoor::http::Router router;
  sandbox.add_routes(router);
  frontdoor::http::Metrics metrics;
  frontdoor::http::Dispatcher dispatcher(router, metrics);
  frontdoor::http::Server http(
      server,
      {[&](frontdoor::http::Request& r) { return dispatcher.handle(r); },
       [&](frontdoor::http::Request& r, int status) { return dispatcher.reject(r, status); }});
  http.start();
  sandbox.set_public_url("http://" + server.address + ":" + std::to_string(http.port()));
  if (!port_file.empty()) {
    // Written whole under another name, then renamed: a reader never sees half a port.
    const auto partial = port_file + ".partial";
    std::ofstream(partial) << http.port() << "\n";
    std::rename(partial.c_str(), port_file.c_str());
  }
  frontdoor::common::log::info("bmx-sandbox listening", {{"port", http.port()}});
  http.run_until_signalled();
  return 0;
}
