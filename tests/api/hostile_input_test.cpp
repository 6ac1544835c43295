// A catalogue of hostile requests. Each must get a 4xx problem response (never
// a 5xx, never a success), change nothing, and leave the server healthy.
#include <gtest/gtest.h>

#include "../support/world.hpp"
#include "frontdoor/common/base64.hpp"

namespace frontdoor {
namespace {

using testing::Account;
using testing::HttpResponse;
using testing::TestServer;
using testing::World;

struct Hostile {
  std::string name;
  std::string method;
  std::string target;
  std::string body;
  std::string who;  // "", "resident", "manager", "panel", "forged", "expired"
  std::vector<std::pair<std::string, std::string>> headers = {};
};

class HostileInput : public ::testing::Test {
 protected:
  HostileInput() : world(server) {
    property = world.property("hostile");
    other_property = world.property("victim");
    resident = world.resident(property);
    manager = world.staff(property, "manager");
    other_resident = world.resident(other_property);
    panel_key = world.panel_key(property);
  }

  HttpResponse send(const Hostile& request) {
    auto headers = request.headers;
    if (request.who == "resident")
      headers.emplace_back("Authorization", "Bearer " + resident.access_token);
    if (request.who == "manager")
      headers.emplace_back("Authorization", "Bearer " + manager.access_token);
    if (request.who == "panel") headers.emplace_back("Authorization", "Bearer " + panel_key);
    if (request.who == "forged") {
      // The resident's token with the signature of another token.
      auto token = resident.access_token;
      token = token.substr(0, token.rfind('.') + 1) +
              manager.access_token.substr(manager.access_token.rfind('.') + 1);
      headers.emplace_back("Authorization", "Bearer " + token);
    }
    if (request.who == "expired") headers.emplace_back("Authorization", "Bearer " + expired_token);
    if (!request.body.empty()) headers.emplace_back("Content-Type", "application/json");
    return world.client().send(request.method, request.target, request.body, headers);
  }

  TestServer server;
  World world;
  std::string property, other_property;
  Account resident, manager, other_resident;
  std::string panel_key;
  std::string expired_token;
};

std::string nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST_F(HostileInput, EveryHostileRequestGetsAProblemAndChangesNothing) {
  // An access token issued an hour and a minute ago has expired.
  server.clock().advance(-std::chrono::minutes(61));
  expired_token = world.login(resident.email, resident.password).access_token;
  server.clock().advance(std::chrono::minutes(61));

  const std::string p = "/v1/properties/" + property;
  const std::string elsewhere = "/v1/properties/" + other_property;
  const std::vector<Hostile> catalogue = {
      {"login: not JSON", "POST", "/v1/auth/login", "{email: 1", ""},
      {"login: deep nesting", "POST", "/v1/auth/login", nested(5000), ""},
      {"login: array body", "POST", "/v1/auth/login", "[]", ""},
      {"login: invalid UTF-8", "POST", "/v1/auth/login",
       "{\"email\":\"\xff\xfe\",\"password\":\"x\"}", ""},
      {"login: wrong types", "POST", "/v1/auth/login", R"({"email": 5, "password": true})", ""},
      {"login: SQL in e-mail", "POST", "/v1/auth/login",
       R"({"email": "' OR '1'='1", "password": "x"})", ""},
      {"login: huge password", "POST", "/v1/auth/login",
       R"({"email": "a@example.com", "password": ")" + std::string(100000, 'p') + "\"}", ""},
      {"login: unknown fields only", "POST", "/v1/auth/login", R"({"user": "root"})", ""},
      {"login: text/plain", "POST", "/v1/auth/login", "", "", {{"Content-Type", "text/plain"}}},
      {"refresh: forged token", "POST", "/v1/auth/refresh", R"({"refresh_token": "AAAA"})", ""},
      {"activate: empty token", "POST", "/v1/auth/activate", R"({"token": "", "password": "x"})",
       ""},
      {"me: no credential", "GET", "/v1/me", "", ""},
      {"me: forged signature", "GET", "/v1/me", "", "forged"},
      {"me: expired token", "GET", "/v1/me", "", "expired"},
      {"me: garbage bearer", "GET", "/v1/me", "", "", {{"Authorization", "Bearer a.b.c"}}},
      {"me: basic auth", "GET", "/v1/me", "", "", {{"Authorization", "Basic YTpi"}}},
      {"me: panel key shape", "GET", "/v1/me", "", "", {{"Authorization", "Bearer fdp_nope"}}},
      {"property: path traversal", "GET", "/v1/properties/..%2F..%2Fetc%2Fpasswd", "", "manager"},
      {"property: SQL id", "GET", "/v1/properties/1'%20OR%20'1'='1", "", "manager"},
      {"property: confusable id", "GET", "/v1/properties/" + property.substr(0, 35) + "%D0%B0", "",
       "manager"},
      {"property: another property's settings", "GET", elsewhere + "/settings", "", "manager"},
      {"property: another property's residents", "GET", elsewhere + "/residents", "", "manager"},
      {"settings: hours out of range", "PATCH", p + "/settings",
       R"({"property_only_visitor_max_hours": 9000})", "manager"},
      {"settings: negative hours", "PATCH", p + "/settings",
       R"({"property_only_visitor_max_hours": -1})", "manager"},
      {"settings: huge number", "PATCH", p + "/settings", R"({"ring_timeout_seconds": 1e308})",
       "manager"},
      {"settings: string for bool", "PATCH", p + "/settings",
       R"({"allow_visitor_access": "false"})", "manager"},
      {"settings: empty change", "PATCH", p + "/settings", "{}", "manager"},
      {"settings: by a resident", "PATCH", p + "/settings", R"({"allow_visitor_access": false})",
       "resident"},
      {"units: limit negative", "GET", p + "/units?limit=-5", "", "manager"},
      {"units: limit huge", "GET", p + "/units?limit=99999999999999999999", "", "manager"},
      {"units: forged cursor", "GET", p + "/units?cursor=eyJhIjoxfQ", "", "manager"},
      {"units: cursor not base64", "GET", p + "/units?cursor=%%%", "", "manager"},
      {"units: label too long", "POST", p + "/units",
       R"({"label": ")" + std::string(500, 'L') + "\"}", "manager"},
      {"units: null label", "POST", p + "/units", R"({"label": null})", "manager"},
      {"residents: q with control bytes", "GET", p + "/residents?q=%00%01", "", "manager"},
      {"residents: q invalid UTF-8", "GET", p + "/residents?q=%C0%AF", "", "manager"},
      {"residents: move-in into another property's unit", "POST", p + "/residents",
       R"({"unit_id": "00000000-0000-0000-0000-000000000000", "first_name": "A", "last_name": "B",
           "email": "a@b.example", "phone": "+15550001111"})",
       "manager"},
      {"residents: bad e-mail", "POST", p + "/residents",
       R"({"unit_id": "00000000-0000-0000-0000-000000000000", "first_name": "A", "last_name": "B",
           "email": "not an email", "phone": "+15550001111"})",
       "manager"},
      {"residents: confusable phone digits", "POST", p + "/residents",
       R"({"unit_id": "00000000-0000-0000-0000-000000000000", "first_name": "A", "last_name": "B",
           "email": "a@b.example", "phone": "+１５５５０００１１１１"})",
       "manager"},
      {"devices: bad platform", "POST", "/v1/me/devices",
       R"({"platform": "windows", "push_token": "xxxxxxxxxx"})", "resident"},
      {"devices: token too short", "POST", "/v1/me/devices",
       R"({"platform": "ios", "push_token": "x"})", "resident"},
      {"visitors: starts_at garbage", "POST", "/v1/me/visitors",
       R"({"name": "V", "phone": "+15550001111", "access": "property_only",
           "starts_at": "yesterday", "ends_at": "2099-01-01T00:00:00Z"})",
       "resident"},
      {"visitors: unknown access", "POST", "/v1/me/visitors",
       R"({"name": "V", "phone": "+15550001111", "access": "everywhere",
           "starts_at": "2099-01-01T00:00:00Z", "ends_at": "2099-01-01T01:00:00Z"})",
       "resident"},
      {"visitors: name with 10k characters", "POST", "/v1/me/visitors",
       R"({"name": ")" + std::string(10000, 'n') + R"(", "phone": "+15550001111",
           "access": "property_only", "starts_at": "2099-01-01T00:00:00Z",
           "ends_at": "2099-01-01T01:00:00Z"})",
       "resident"},
      {"visitors: another resident's visitor", "GET",
       "/v1/me/visitors/00000000-0000-0000-0000-000000000001", "", "resident"},
      {"visitors: staff create in another property", "POST", elsewhere + "/visitors",
       R"({"name": "V", "email": "v@example.com", "starts_at": "2099-01-01T00:00:00Z",
           "ends_at": "2099-01-01T01:00:00Z"})",
       "manager"},
      {"pass page: traversal", "GET", "/p/..%2F..%2Fmetrics", "", ""},
      {"pass page: SQL token", "GET", "/p/'%20OR%201=1--", "", ""},
      {"directory: person with panel route", "GET", "/v1/panel/directory?q=a", "", "resident"},
      {"directory: empty q", "GET", "/v1/panel/directory?q=", "", "panel"},
      {"directory: q of 65", "GET", "/v1/panel/directory?q=" + std::string(65, 'q'), "", "panel"},
      {"calls: panel calls a made-up entry", "POST", "/v1/panel/calls",
       R"({"entry_id": "00000000-0000-0000-0000-000000000000"})", "panel"},
      {"calls: panel calls with a number", "POST", "/v1/panel/calls", R"({"entry_id": 7})",
       "panel"},
      {"calls: accept someone else's call", "POST",
       "/v1/calls/00000000-0000-0000-0000-000000000000/accept",
       R"({"device_id": "00000000-0000-0000-0000-000000000000", "media": "audio"})", "resident"},
      {"calls: media with nothing", "POST", "/v1/calls/00000000-0000-0000-0000-000000000000/media",
       "{}", "resident"},
      {"webhook: unknown secret", "POST", "/v1/webhooks/bmx/" + std::string(64, 'f'),
       R"({"event": {"resource_type": "call", "action": "create", "data": {"id": 1}}})", ""},
      {"webhook: short secret", "POST", "/v1/webhooks/bmx/abc", "{}", ""},
      {"bmx link: state without code", "POST", "/v1/me/bmx", R"({"state": "x"})", "resident"},
      {"set-up: by a manager", "PUT", p + "/integrations/bmx",
       R"({"building_id": 1, "authorization_code": "x"})", "manager"},
      {"set-up: building id out of range", "PUT", p + "/integrations/bmx",
       R"({"building_id": -1, "authorization_code": "x"})", "manager"},
      // The classes of the security review (issue 12).
      {"staff: CRLF in a name", "POST", p + "/staff",
       R"({"email": "crlf@example.com", "display_name": "Inject\r\nBcc: x@example.com",
           "role": "staff"})",
       "manager"},
      {"units: NUL in a label", "POST", p + "/units", R"({"label": "A\u0000B"})", "manager"},
      {"units: NUL in a key", "POST", p + "/units", R"({"lab\u0000el": "A"})", "manager"},
      {"residents: NUL in a name", "POST", p + "/residents",
       R"({"unit_id": "00000000-0000-0000-0000-000000000000", "first_name": "A\u0000",
           "last_name": "B", "email": "a@b.example", "phone": "+15550001111"})",
       "manager"},
      {"residents: forged cursor", "GET",
       p + "/residents?cursor=" + common::base64url_encode(R"(["a","b","not-a-uuid"])"), "",
       "manager"},
      {"directory: tab in a display name", "PATCH", "/v1/me/directory",
       R"({"display_name": "A\tB"})", "resident"},
      {"devices: APNs token with a path", "POST", "/v1/me/devices",
       R"({"platform": "ios", "push_token": "abc/../xyz0000000000000000000000000000000000000000000000000000000000"})",
       "resident"},
      {"devices: VoIP token with a path", "POST", "/v1/me/devices",
       R"({"platform": "ios", "push_token": ")" + std::string(64, 'a') +
           R"(", "voip_token": "abc/../xyz"})",
       "resident"},
      {"webhook: NUL under an unknown secret", "POST", "/v1/webhooks/bmx/" + std::string(64, 'e'),
       R"({"event": {"resource_type": "call", "action": "create", "data": {"id": "\u0000"}}})", ""},
      {"visitors: property_id not an id", "POST", "/v1/me/visitors",
       R"({"name": "V", "phone": "+15550001111", "access": "property_only", "property_id": "x",
           "starts_at": "2099-01-01T00:00:00Z", "ends_at": "2099-01-01T01:00:00Z"})",
       "resident"},
      {"bmx link: property_id not an id", "GET", "/v1/me/bmx?property_id=1%27", "", "resident"},
      // Security round 3 (issue 29): panel keys on a person's routes, answered
      // on the I/O thread and by workers; unknown fields in every body.
      {"my visitors: a real panel key", "GET", "/v1/me/visitors", "", "panel"},
      {"my visitors: an unknown panel key",
       "GET",
       "/v1/me/visitors",
       "",
       "",
       {{"Authorization", "Bearer fdp_" + std::string(40, 'a')}}},
      {"my visitors: garbage bearer",
       "GET",
       "/v1/me/visitors",
       "",
       "",
       {{"Authorization", "Bearer fdp_"}}},
      {"my visitors: expired token", "GET", "/v1/me/visitors", "", "expired"},
      {"my calls: an unknown panel key",
       "GET",
       "/v1/me/calls",
       "",
       "",
       {{"Authorization", "Bearer fdp_zzz"}}},
      {"visitors: max_use typo", "POST", "/v1/me/visitors",
       R"({"name": "V", "phone": "+15550001111", "access": "property_only", "max_use": 1,
           "starts_at": "2099-01-01T00:00:00Z", "ends_at": "2099-01-01T01:00:00Z"})",
       "resident"},
      {"settings: unknown field", "PATCH", p + "/settings", R"({"allow_visitor_acess": false})",
       "manager"},
      {"units: unknown field", "POST", p + "/units", R"({"label": "9Z", "flor": "9"})", "manager"},
      {"staff: unknown field", "POST", p + "/staff",
       R"({"email": "x@example.com", "display_name": "X", "role": "staff", "admin": true})",
       "manager"},
      {"devices: unknown field", "POST", "/v1/me/devices",
       R"({"platform": "android", "push_token": "fcm-token-123456", "silent": true})", "resident"},
      {"deny list: unknown field", "POST", p + "/deny-list",
       R"({"name": "X", "reason": "r", "expires": "never"})", "manager"},
      {"webhooks: unknown field", "POST", p + "/webhooks",
       R"({"url": "https://example.com/h", "events": ["*"], "secret": "mine"})", "manager"},
      {"directory: unknown field", "PATCH", "/v1/me/directory", R"({"listed": true, "hidden": 1})",
       "resident"},
      {"login: unknown field beside the right ones", "POST", "/v1/auth/login",
       R"({"email": "a@example.com", "password": "x", "remember": true})", ""},
      {"method: TRACE", "TRACE", "/v1/me", "", "resident"},
      {"unknown route", "GET", "/v1/../../etc/passwd", "", ""},
  };
  ASSERT_GE(catalogue.size(), 50u);

  const auto audit_before = world.client().get(p + "/audit", manager.auth()).body;
  for (const auto& request : catalogue) {
    const auto response = send(request);
    EXPECT_GE(response.status, 400) << request.name << ": " << response.body.substr(0, 300);
    EXPECT_LT(response.status, 500) << request.name << ": " << response.body.substr(0, 300);
    // The pass page answers visitors' phones in HTML; everything else in problem+json.
    const bool page = request.target.rfind("/p/", 0) == 0 &&
                      response.header("content-type").rfind("text/html", 0) == 0;
    EXPECT_TRUE(page || response.header("content-type") == "application/problem+json")
        << request.name << ": " << response.status << " " << response.header("content-type");
    // A misspelt field is named, whatever else is wrong with the body.
    if (request.name.find("unknown field") != std::string::npos ||
        request.name.find("typo") != std::string::npos) {
      EXPECT_EQ(response.json().value("code", ""), "unknown_field")
          << request.name << ": " << response.body;
    }
  }
  // Oversized headers and malformed HTTP, at the connection level.
  const auto big_header = world.client().raw(
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20 << 10, 'h') + "\r\n\r\n");
  EXPECT_EQ(big_header.status, 431);
  EXPECT_EQ(world.client().raw("BLAH\r\n\r\n").status, 400);
  // Framing that two parsers could read differently, and a missing Host.
  EXPECT_EQ(world.client()
                .raw("POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n"
                     "GET /v1/me HTTP/1.1\r\nHost: x\r\n\r\n")
                .status,
            400);
  EXPECT_EQ(world.client().raw("GET /healthz HTTP/1.1\r\n\r\n").status, 400);
  EXPECT_EQ(world.client()
                .raw("POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                     "\r\nContent-Length: 50000000\r\n\r\n{}")
                .status,
            413);

  // Nothing changed, and the server is well.
  EXPECT_EQ(world.client().get(p + "/audit", manager.auth()).body, audit_before);
  EXPECT_EQ(world.client().get("/readyz").status, 200);
  EXPECT_EQ(world.client().get("/v1/me", resident.auth()).status, 200);
}

}  // namespace
}  // namespace frontdoor
