#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace frontdoor::testing {

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;

  std::string header(const std::string& name) const;
  nlohmann::json json() const;
};

// A plain blocking HTTP/1.1 client over real TCP, one connection per call.
class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port, std::string host = "127.0.0.1",
                      std::chrono::milliseconds deadline = std::chrono::seconds(20));

  using Headers = std::vector<std::pair<std::string, std::string>>;
  HttpResponse get(const std::string& target, const Headers& headers = {}) const;
  HttpResponse post(const std::string& target, const std::string& body,
                    const Headers& headers = {}) const;
  HttpResponse send(const std::string& method, const std::string& target, const std::string& body,
                    const Headers& headers) const;
  // Writes these bytes as they are and reads one response: for malformed requests.
  HttpResponse raw(const std::string& bytes) const;
  // Writes these bytes, then reads `count` responses from the same connection.
  std::vector<HttpResponse> raw_many(const std::string& bytes, int count) const;
  // A HEAD request: the response is read without a body, whatever its Content-Length says.
  HttpResponse head(const std::string& target, const Headers& headers = {}) const;

  // Writes these bytes and reads until the server closes the connection or `wait`
  // passes: every response it sent, and whether it closed.
  struct Exchange {
    std::vector<HttpResponse> responses;
    bool closed = false;
    std::string bytes;  // everything received, as it came
  };
  Exchange raw_exchange(const std::string& bytes,
                        std::chrono::milliseconds wait = std::chrono::seconds(2)) const;

 private:
  std::string host_;
  std::uint16_t port_;
  std::chrono::milliseconds deadline_;
};

// A loopback port nobody listens on right now (the kernel's pick for port 0).
int free_port();

}  // namespace frontdoor::testing
