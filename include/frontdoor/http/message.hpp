#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace frontdoor::http {

struct Route;

using Headers = std::vector<std::pair<std::string, std::string>>;

// A request as handlers see it: no Beast types, so modules stay light to compile.
struct Request {
  std::string method;
  std::string target;  // raw request target, path and query
  std::string path;    // percent-decoded path
  Headers headers;     // names in lower case
  std::string body;
  std::string remote_address;
  std::string request_id;
  std::chrono::steady_clock::time_point received_at;
  std::vector<std::pair<std::string, std::string>> path_params;
  std::vector<std::pair<std::string, std::string>> query;  // decoded
  const Route* route = nullptr;                            // set once routing found it

  // First header with this (case-insensitive) name.
  std::optional<std::string_view> header(std::string_view name) const;
  // A path parameter of the matched template; empty if absent.
  std::string_view param(std::string_view name) const;
  // First query parameter with this name.
  std::optional<std::string_view> query_param(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type;
  std::string body;
  Headers headers;
  // Close the connection without answering (bmx-sandbox's "drop" fault).
  bool drop_connection = false;

  static Response text(int status, std::string body, std::string content_type = "text/plain");
  static Response no_content();
  void set_header(std::string name, std::string value);
};

}  // namespace frontdoor::http
