// The ceiling of the HTTP stack: the same Beast parser and serializer, the same
// keep-alive handling, nothing behind it but "ok", and a blocking thread per
// connection (no timers, no limits, no hand-offs: the cheapest way to use both
// cores for a few dozen connections). bench/run compares frontdoor's /healthz
// with this.
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <iostream>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

namespace {

void serve(tcp::socket socket) {
  beast::flat_buffer buffer;
  beast::error_code ec;
  while (true) {
    bhttp::request<bhttp::string_body> request;
    bhttp::read(socket, buffer, request, ec);
    if (ec) return;
    bhttp::response<bhttp::string_body> response{bhttp::status::ok, request.version()};
    response.set(bhttp::field::content_type, "application/json");
    response.keep_alive(request.keep_alive());
    response.body() = R"({"status":"ok"})";
    response.prepare_payload();
    bhttp::write(socket, response, ec);
    if (ec || !request.keep_alive()) return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  const auto port = static_cast<unsigned short>(argc > 1 ? std::atoi(argv[1]) : 18081);
  asio::io_context io;
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), port});
  // A thread per connection: the simplest correct server, and fast for a few dozen.
  while (true) {
    tcp::socket socket(io);
    acceptor.accept(socket);
    std::thread(serve, std::move(socket)).detach();
  }
}
