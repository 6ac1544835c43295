#include "frontdoor/http/client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

namespace frontdoor::http {
namespace {

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

// One easy handle per thread, so that keep-alive connections are reused.
CURL* thread_handle() {
  static CurlGlobal global;
  struct Handle {
    CURL* curl = curl_easy_init();
    ~Handle() { curl_easy_cleanup(curl); }
  };
  thread_local Handle handle;
  curl_easy_reset(handle.curl);
  return handle.curl;
}

struct Sink {
  OutboundResponse* response;
  std::size_t limit;
  bool too_large = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const auto bytes = size * count;
  if (sink->response->body.size() + bytes > sink->limit) {
    sink->too_large = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  sink->response->body.append(data, bytes);
  return bytes;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* response = static_cast<OutboundResponse*>(user);
  const std::string_view line(data, size * count);
  // A new status line (after a redirect or 100 Continue) starts a new header block.
  if (line.rfind("HTTP/", 0) == 0) response->headers.clear();
  const auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
      value.remove_prefix(1);
    }
    while (!value.empty() &&
           (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
      value.remove_suffix(1);
    }
    response->headers.emplace_back(std::move(name), std::string(value));
  }
  return size * count;
}

OutboundResponse::Failure failure_of(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return OutboundResponse::Failure::timeout;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return OutboundResponse::Failure::connect;
    default:
      return OutboundResponse::Failure::network;
  }
}

}  // namespace

std::optional<std::string_view> OutboundResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return value;
    }
  }
  return std::nullopt;
}

OutboundResponse send(const OutboundRequest& request) {
  OutboundResponse response;
  CURL* curl = thread_handle();
  Sink sink{&response, request.max_response_bytes};
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr,
                                                                      &curl_slist_free_all);
  for (const auto& [name, value] : request.headers) {
    headers.reset(curl_slist_append(headers.release(), (name + ": " += value).c_str()));
  }
  // libcurl adds "Expect: 100-continue" to larger bodies; it only costs a round trip.
  headers.reset(curl_slist_append(headers.release(), "Expect:"));

  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> pins(nullptr, &curl_slist_free_all);
  for (const auto& entry : request.resolve) {
    pins.reset(curl_slist_append(pins.release(), entry.c_str()));
  }
  // A pin replaces what the handle's DNS cache holds for that name and port.
  curl_easy_setopt(curl, CURLOPT_RESOLVE, pins.get());
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  if (request.method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
      request.method == "PATCH") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  // Threads must not receive SIGALRM from name resolution timeouts.
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.total_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);

  const CURLcode code = curl_easy_perform(curl);
  if (code != CURLE_OK) {
    response.failure = failure_of(code);
    response.error = sink.too_large ? "response larger than the limit" : curl_easy_strerror(code);
    response.status = 0;
    response.body.clear();
    return response;
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

std::string form_encode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace frontdoor::http
