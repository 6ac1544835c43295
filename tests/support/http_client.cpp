#include "http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <functional>
#include <sstream>
#include <stdexcept>

namespace frontdoor::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

// Runs the io_context until the pending operation completes; stream timeouts
// only govern asynchronous operations, so tests never block forever.
void run_until_done(asio::io_context& io, const bool& done, const beast::error_code& ec,
                    const char* what, std::chrono::milliseconds deadline) {
  io.restart();
  io.run_for(deadline);
  if (!done) {
    throw std::runtime_error(std::string(what) + ": no answer within " +
                             std::to_string(deadline.count()) + " ms");
  }
  if (ec) throw beast::system_error(ec);
}

HttpResponse to_response(bhttp::response<bhttp::string_body>&& message) {
  HttpResponse response;
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    response.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  response.body = std::move(message.body());
  return response;
}

HttpResponse read_response(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                           std::chrono::milliseconds deadline, bool head = false) {
  auto& io = static_cast<asio::io_context&>(stream.get_executor().context());
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 << 20);
  parser.skip(head);
  stream.expires_after(deadline);
  bool done = false;
  beast::error_code error;
  bhttp::async_read(stream, buffer, parser, [&](beast::error_code ec, std::size_t) {
    error = ec;
    done = true;
  });
  run_until_done(io, done, error, "reading the response", deadline);
  return to_response(parser.release());
}

beast::tcp_stream connect(asio::io_context& io, const std::string& host, std::uint16_t port,
                          std::chrono::milliseconds deadline) {
  beast::tcp_stream stream(io);
  stream.expires_after(deadline);
  bool done = false;
  beast::error_code error;
  stream.async_connect(tcp::endpoint(asio::ip::make_address(host), port),
                       [&](beast::error_code ec) {
                         error = ec;
                         done = true;
                       });
  run_until_done(io, done, error, "connecting", deadline);
  return stream;
}

void write_all(beast::tcp_stream& stream, const std::string& bytes,
               std::chrono::milliseconds deadline) {
  auto& io = static_cast<asio::io_context&>(stream.get_executor().context());
  bool done = false;
  beast::error_code error;
  asio::async_write(stream, asio::buffer(bytes), [&](beast::error_code ec, std::size_t) {
    error = ec;
    done = true;
  });
  run_until_done(io, done, error, "writing the request", deadline);
}

}  // namespace

std::string HttpResponse::header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return {};
}

nlohmann::json HttpResponse::json() const { return nlohmann::json::parse(body); }

HttpClient::HttpClient(std::uint16_t port, std::string host, std::chrono::milliseconds deadline)
    : host_(std::move(host)), port_(port), deadline_(deadline) {}

HttpResponse HttpClient::get(const std::string& target, const Headers& headers) const {
  return send("GET", target, "", headers);
}

HttpResponse HttpClient::post(const std::string& target, const std::string& body,
                              const Headers& headers) const {
  return send("POST", target, body, headers);
}

HttpResponse HttpClient::head(const std::string& target, const Headers& headers) const {
  asio::io_context io;
  auto stream = connect(io, host_, port_, deadline_);
  std::string bytes = "HEAD " + target + " HTTP/1.1\r\nHost: " + host_ + "\r\n";
  for (const auto& [name, value] : headers) bytes += name + ": " + value + "\r\n";
  bytes += "Connection: close\r\n\r\n";
  write_all(stream, bytes, deadline_);
  beast::flat_buffer buffer;
  return read_response(stream, buffer, deadline_, true);
}

HttpClient::Exchange HttpClient::raw_exchange(const std::string& bytes,
                                              std::chrono::milliseconds wait) const {
  asio::io_context io;
  auto stream = connect(io, host_, port_, deadline_);
  write_all(stream, bytes, deadline_);
  // Everything the server sends until it closes (or the wait is over).
  std::string received;
  Exchange exchange;
  std::array<char, 4096> chunk{};
  stream.expires_after(wait);
  bool reading = true;
  std::function<void()> read_more = [&] {
    stream.async_read_some(asio::buffer(chunk), [&](beast::error_code ec, std::size_t n) {
      received.append(chunk.data(), n);
      if (ec) {
        exchange.closed = ec == asio::error::eof || ec == asio::error::connection_reset;
        reading = false;
        return;
      }
      read_more();
    });
  };
  read_more();
  io.restart();
  io.run();
  (void)reading;
  exchange.bytes = received;
  // Then split what arrived into responses.
  beast::error_code ec;
  std::size_t offset = 0;
  while (offset < received.size()) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.eager(true);
    const auto used =
        parser.put(asio::buffer(received.data() + offset, received.size() - offset), ec);
    if (ec || !parser.is_done()) break;
    offset += used;
    exchange.responses.push_back(to_response(parser.release()));
  }
  return exchange;
}

HttpResponse HttpClient::send(const std::string& method, const std::string& target,
                              const std::string& body, const Headers& headers) const {
  asio::io_context io;
  auto stream = connect(io, host_, port_, deadline_);
  bhttp::request<bhttp::string_body> request;
  request.method_string(method);
  request.target(target);
  request.version(11);
  request.set(bhttp::field::host, host_);
  if (!body.empty()) request.set(bhttp::field::content_type, "application/json");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.keep_alive(false);
  request.body() = body;
  request.prepare_payload();
  std::ostringstream serialized;
  serialized << request;
  write_all(stream, serialized.str(), deadline_);
  beast::flat_buffer buffer;
  return read_response(stream, buffer, deadline_);
}

HttpResponse HttpClient::raw(const std::string& bytes) const {
  asio::io_context io;
  auto stream = connect(io, host_, port_, deadline_);
  write_all(stream, bytes, deadline_);
  beast::flat_buffer buffer;
  return read_response(stream, buffer, deadline_);
}

std::vector<HttpResponse> HttpClient::raw_many(const std::string& bytes, int count) const {
  asio::io_context io;
  auto stream = connect(io, host_, port_, deadline_);
  write_all(stream, bytes, deadline_);
  beast::flat_buffer buffer;
  std::vector<HttpResponse> responses;
  for (int i = 0; i < count; ++i) responses.push_back(read_response(stream, buffer, deadline_));
  return responses;
}

int free_port() {
  const int socket_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (socket_fd < 0 || ::bind(socket_fd, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      ::getsockname(socket_fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("could not find a free port");
  }
  ::close(socket_fd);
  return ntohs(address.sin_port);
}

}  // namespace frontdoor::testing
