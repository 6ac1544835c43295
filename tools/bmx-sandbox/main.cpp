// bmx-sandbox: a local stand-in for ButterflyMX for tests and the demo.
// usage: bmx-sandbox [--address A] [--port P]   (defaults 127.0.0.1, $BMX_SANDBOX_PORT or 8090)
// Environment: BMX_SANDBOX_CLIENT_ID, BMX_SANDBOX_CLIENT_SECRET (the OAuth client frontdoor uses).
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "frontdoor/common/log.hpp"
#include "frontdoor/http/dispatcher.hpp"
#include "frontdoor/http/server.hpp"
#include "sandbox.hpp"

int main(int argc, char** argv) {
  frontdoor::http::ServerOptions server;
  server.port = 8090;
  if (const char* port = std::getenv("BMX_SANDBOX_PORT")) {
    server.port = static_cast<std::uint16_t>(std::atoi(port));
  }
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--port") {
      server.port = static_cast<std::uint16_t>(std::atoi(argv[i + 1]));
    } else if (flag == "--address") {
      server.address = argv[i + 1];
    } else {
      std::cerr << "usage: bmx-sandbox [--address A] [--port P]\n";
      return 2;
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
  frontdoor::common::log::info("bmx-sandbox listening", {{"port", http.port()}});
  http.run_until_signalled();
  return 0;
}
