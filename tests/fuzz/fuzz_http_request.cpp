// Raw bytes as an HTTP request: Beast's parser with the server's limits, then
// the dispatcher (target decoding, routing over every documented route, query
// and cursor parsing, JSON bodies, problem responses). Nothing may crash, and
// every answer must be a well-formed status.
#include <boost/beast/http.hpp>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "frontdoor/common/log.hpp"
#include "frontdoor/http/dispatcher.hpp"
#include "frontdoor/http/json.hpp"
#include "frontdoor/http/metrics.hpp"
#include "frontdoor/http/pagination.hpp"
#include "frontdoor/http/router.hpp"

namespace {

namespace http = frontdoor::http;
namespace bhttp = boost::beast::http;

http::Router& router() {
  static http::Router instance = [] {
    http::Router built;
    std::ifstream file(OPENAPI_FILE);
    const auto document = nlohmann::json::parse(file);
    for (const auto& [path, operations] : document["paths"].items()) {
      for (const auto& [method, operation] : operations.items()) {
        std::string upper;
        for (char c : method) upper.push_back(static_cast<char>(std::toupper(c)));
        // Each route reads its input as real handlers do.
        built.add(upper, path, [](http::Request& request) {
          if (!request.body.empty()) http::parse_json_body(request);
          http::page_request(request);
          return http::json_response(200, {{"ok", true}});
        });
      }
    }
    return built;
  }();
  return instance;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  frontdoor::common::log::init("error");
  router();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static http::Metrics metrics;
  static http::Dispatcher dispatcher(router(), metrics);
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(16 << 10);
  parser.body_limit(1 << 20);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_done()) return 0;
  const auto& message = parser.get();
  http::Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  request.body = message.body();
  const auto response = dispatcher.handle(request);
  if (response.status < 200 || response.status > 599) std::abort();
  return 0;
}
