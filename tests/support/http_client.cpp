#include "http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace frontdoor::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

HttpResponse read_response(beast::tcp_stream& stream) {
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 << 20);
  stream.expires_after(std::chrono::seconds(30));
  bhttp::read(stream, buffer, parser);
  auto message = parser.release();
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

beast::tcp_stream connect(asio::io_context& io, const std::string& host, std::uint16_t port) {
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::seconds(10));
  stream.connect(tcp::endpoint(asio::ip::make_address(host), port));
  return stream;
}

}  // namespace

std::string HttpResponse::header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return {};
}

nlohmann::json HttpResponse::json() const { return nlohmann::json::parse(body); }

HttpClient::HttpClient(std::uint16_t port, std::string host)
    : host_(std::move(host)), port_(port) {}

HttpResponse HttpClient::get(const std::string& target, const Headers& headers) const {
  return send("GET", target, "", headers);
}

HttpResponse HttpClient::post(const std::string& target, const std::string& body,
                              const Headers& headers) const {
  return send("POST", target, body, headers);
}

HttpResponse HttpClient::send(const std::string& method, const std::string& target,
                              const std::string& body, const Headers& headers) const {
  asio::io_context io;
  auto stream = connect(io, host_, port_);
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
  bhttp::write(stream, request);
  return read_response(stream);
}

HttpResponse HttpClient::raw(const std::string& bytes) const {
  asio::io_context io;
  auto stream = connect(io, host_, port_);
  asio::write(stream, asio::buffer(bytes));
  return read_response(stream);
}

}  // namespace frontdoor::testing
