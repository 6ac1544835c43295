// Provider-style endpoints so that frontdoor's real gateways can be exercised:
// SMS (Twilio's Messages API), Android push (FCM HTTP v1), iOS push (APNs) and
// e-mail (what the SMTP listener in smtp.cpp receives).
// Everything received lands in the message inbox (GET /_sandbox/messages).
// A push token that starts with "dead" (hex for APNs) is answered as an unregistered device.
#include <sstream>
#include <vector>

#include "frontdoor/common/base64.hpp"
#include "frontdoor/common/random.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/http/json.hpp"
#include "sandbox.hpp"
#include "wire.hpp"

namespace bmx_sandbox {
namespace {

using frontdoor::http::json_response;
using frontdoor::http::Request;
using frontdoor::http::Response;

bool is_dead(std::string_view token) { return token.rfind("dead", 0) == 0; }

bool is_e164(const std::string& number) {
  if (number.size() < 8 || number.size() > 16 || number[0] != '+' || number[1] == '0') {
    return false;
  }
  return std::all_of(number.begin() + 1, number.end(),
                     [](unsigned char c) { return std::isdigit(c); });
}

struct MimePart {
  std::map<std::string, std::string> headers;  // lower-case names
  std::vector<std::string> names;              // every header line's name, in order
  std::string body;
};

MimePart parse_part(const std::string& text) {
  MimePart part;
  const auto split = text.find("\n\n");
  std::string head = text.substr(0, split);
  part.body = split == std::string::npos ? "" : text.substr(split + 2);
  std::string name;
  std::istringstream lines(head);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t') && !name.empty()) {
      part.headers[name] += " " + line.substr(line.find_first_not_of(" \t"));
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    name = wire::lower(line.substr(0, colon));
    part.names.push_back(name);
    part.headers[name] = line.substr(std::min(line.size(), colon + 2));
  }
  return part;
}

// A header value as a mail client shows it: RFC 2047 B-encoded UTF-8 words
// decoded, and the white space between two adjacent encoded words dropped.
std::string decode_encoded_words(const std::string& value) {
  std::string out;
  std::size_t at = 0;
  bool after_word = false;
  while (at < value.size()) {
    const auto start = value.find("=?", at);
    std::size_t prefix_end = start;
    const auto lower = wire::lower(value.substr(start == std::string::npos ? 0 : start, 10));
    if (start == std::string::npos || lower != "=?utf-8?b?") {
      out += value.substr(at, start == std::string::npos ? std::string::npos : start + 2 - at);
      if (start == std::string::npos) break;
      at = start + 2;
      after_word = false;
      continue;
    }
    const auto end = value.find("?=", start + 10);
    if (end == std::string::npos) {
      out += value.substr(at);
      break;
    }
    const auto between = value.substr(at, prefix_end - at);
    if (!(after_word && between.find_first_not_of(" \t\r\n") == std::string::npos)) {
      out += between;
    }
    std::string encoded = value.substr(start + 10, end - start - 10);
    for (auto& c : encoded) {
      if (c == '+') c = '-';
      if (c == '/') c = '_';
    }
    while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
    out += frontdoor::common::base64url_decode(encoded).value_or("");
    at = end + 2;
    after_word = true;
  }
  return out;
}

std::string boundary_of(const std::string& content_type) {
  const auto at = content_type.find("boundary=");
  if (at == std::string::npos) return "";
  auto value = content_type.substr(at + 9);
  if (!value.empty() && value[0] == '"') value = value.substr(1, value.find('"', 1) - 1);
  return value.substr(0, value.find(';'));
}

}  // namespace

void Sandbox::receive_email(const std::string& from, const std::vector<std::string>& recipients,
                            const std::string& data) {
  const auto message = parse_part(data);
  std::string text = message.body, html;
  const auto content_type = message.headers.count("content-type")
                                ? message.headers.at("content-type")
                                : std::string("text/plain");
  if (content_type.rfind("multipart/", 0) == 0) {
    const auto boundary = "--" + boundary_of(content_type);
    text.clear();
    std::size_t at = message.body.find(boundary);
    while (at != std::string::npos) {
      const auto start = message.body.find('\n', at) + 1;
      const auto next = message.body.find(boundary, start);
      if (next == std::string::npos) break;
      auto part = parse_part(message.body.substr(start, next - start));
      const auto type = part.headers["content-type"];
      while (!part.body.empty() && part.body.back() == '\n') part.body.pop_back();
      if (type.rfind("text/plain", 0) == 0) text = part.body;
      if (type.rfind("text/html", 0) == 0) html = part.body;
      at = next;
    }
  }
  const auto subject =
      message.headers.count("subject") ? decode_encoded_words(message.headers.at("subject")) : "";
  std::lock_guard lock(mutex_);
  for (const auto& to : recipients) {
    record_message("email", wire::lower(to), subject, text,
                   {{"from", from},
                    {"html", html.empty() ? nlohmann::json(nullptr) : nlohmann::json(html)},
                    {"headers", message.names}});
  }
}

// Twilio's Messages API: an SMS, as Basic-authenticated form fields.
Response Sandbox::twilio_send(const Request& request) {
  auto auth = request.header("authorization");
  if (!auth || auth->rfind("Basic ", 0) != 0) {
    return json_response(401, {{"code", 20003}, {"message", "Authenticate"}, {"status", 401}});
  }
  auto form = wire::form_of(request.body);
  if (!is_e164(form["To"])) {
    return json_response(400, {{"code", 21211},
                               {"message", "The 'To' number is not a valid phone number."},
                               {"status", 400}});
  }
  if (form["Body"].empty()) {
    return json_response(
        400, {{"code", 21602}, {"message", "Message body is required."}, {"status", 400}});
  }
  std::lock_guard lock(mutex_);
  const auto sid = "SM" + frontdoor::common::random_hex(16);
  record_message("sms", form["To"], "", form["Body"], {{"from", form["From"]}, {"sid", sid}});
  return json_response(
      201, {{"sid", sid},
            {"account_sid", std::string(request.param("account_sid"))},
            {"status", "queued"},
            {"to", form["To"]},
            {"from", form["From"]},
            {"body", form["Body"]},
            {"date_created", frontdoor::common::to_rfc3339(std::chrono::system_clock::now())}});
}

// FCM v1: a data message to one registration token.
Response Sandbox::fcm_send(const Request& request) {
  auto auth = request.header("authorization");
  if (!auth || auth->rfind("Bearer ", 0) != 0) {
    return json_response(401, {{"error",
                                {{"code", 401},
                                 {"message", "Request had invalid authentication credentials."},
                                 {"status", "UNAUTHENTICATED"}}}});
  }
  auto body = wire::json_body(request);
  if (!body || !body->contains("message") || !(*body)["message"].is_object() ||
      !(*body)["message"].contains("token") || !(*body)["message"]["token"].is_string()) {
    return json_response(400, {{"error",
                                {{"code", 400},
                                 {"message", "The message must name a token."},
                                 {"status", "INVALID_ARGUMENT"}}}});
  }
  const auto& message = (*body)["message"];
  const auto token = message["token"].get<std::string>();
  if (is_dead(token)) {
    return json_response(404,
                         {{"error",
                           {{"code", 404},
                            {"message", "Requested entity was not found."},
                            {"status", "NOT_FOUND"},
                            {"details",
                             {{{"@type", "type.googleapis.com/google.firebase.fcm.v1.FcmError"},
                               {"errorCode", "UNREGISTERED"}}}}}}});
  }
  std::lock_guard lock(mutex_);
  record_message(
      "push", token, "", "",
      {{"platform", "android"},
       {"priority",
        message.contains("android") ? message["android"].value("priority", "normal") : "normal"},
       {"payload", message.value("data", nlohmann::json::object())}});
  return json_response(200, {{"name", "projects/" + std::string(request.param("project")) +
                                          "/messages/" + frontdoor::common::random_hex(8)}});
}

// APNs over HTTP/2 (here HTTP/1.1): a push to one device token.
Response Sandbox::apns_send(const Request& request) {
  const std::string token(request.param("token"));
  auto topic = request.header("apns-topic");
  if (!topic) return json_response(400, {{"reason", "MissingTopic"}});
  auto body = wire::json_body(request);
  if (!body) return json_response(400, {{"reason", "PayloadEmpty"}});
  if (is_dead(token)) {
    return json_response(410,
                         {{"reason", "Unregistered"},
                          {"timestamp", std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count()}});
  }
  const std::string push_type(request.header("apns-push-type").value_or("alert"));
  std::lock_guard lock(mutex_);
  record_message("push", token, "", "",
                 {{"platform", "ios"},
                  {"push_type", push_type},
                  {"topic", std::string(*topic)},
                  {"payload", *body}});
  auto response = Response::text(200, "");
  response.set_header("apns-id", frontdoor::common::random_hex(16));
  return response;
}

void Sandbox::add_provider_routes(frontdoor::http::Router& router) {
  router.add("POST", "/2010-04-01/Accounts/{account_sid}/Messages.json",
             provider_route([this](Request& request) { return twilio_send(request); }));

  router.add("POST", "/v1/projects/{project}/messages:send",
             provider_route([this](Request& request) { return fcm_send(request); }));

  router.add("POST", "/3/device/{token}",
             provider_route([this](Request& request) { return apns_send(request); }));
}

}  // namespace bmx_sandbox
