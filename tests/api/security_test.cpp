// The security review's findings (issue 12), one test per class of defect, each
// through the real server: request smuggling, Host and HEAD, NUL and control
// characters, forged cursors, caching of secrets, push tokens, the webhook
// secret, and the per-address login limit that must not lock anyone out.
#include <gtest/gtest.h>

#include <cstdio>

#include "../support/world.hpp"
#include "frontdoor/common/base64.hpp"

namespace frontdoor {
namespace {

using testing::Account;
using testing::HttpResponse;
using testing::TestServer;
using testing::World;

class Security : public ::testing::Test {
 protected:
  Security() : world(server) {}

  // A request whose body, read as the next request, would ask for /v1/me.
  static std::string with_smuggled_request(const std::string& framing_headers) {
    const std::string smuggled = "GET /v1/me HTTP/1.1\r\nHost: x\r\n\r\n";
    return "POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
           framing_headers + "\r\n" + smuggled;
  }

  TestServer server;
  World world;
};

TEST_F(Security, OnlyASingleFinalChunkedFramesABodyAndNothingIsSmuggled) {
  for (const std::string coding : {"gzip", "xchunked", "identity", "chunked, identity",
                                   "gzip, chunked", "chunked, chunked", ""}) {
    const auto exchange =
        world.client().raw_exchange(with_smuggled_request("Transfer-Encoding: " + coding + "\r\n"));
    ASSERT_EQ(exchange.responses.size(), 1u) << "Transfer-Encoding: " << coding;
    EXPECT_EQ(exchange.responses[0].status, 400) << coding;
    EXPECT_EQ(exchange.responses[0].json()["code"], "malformed_request") << coding;
    EXPECT_TRUE(exchange.closed) << "the connection stays open after " << coding;
  }
  // Two Transfer-Encoding lines, and an unknown coding beside a Content-Length.
  for (const std::string framing : {"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
                                    "Transfer-Encoding: xchunked\r\nContent-Length: 0\r\n",
                                    "Content-Length: 0\r\nTransfer-Encoding: xchunked\r\n",
                                    "Transfer-Encoding: chunked\r\nContent-Length: 33\r\n"}) {
    const auto exchange = world.client().raw_exchange(with_smuggled_request(framing));
    ASSERT_EQ(exchange.responses.size(), 1u) << framing;
    EXPECT_EQ(exchange.responses[0].status, 400) << framing;
    EXPECT_TRUE(exchange.closed) << framing;
  }
  // A well-framed chunked body is read as the body it is.
  const std::string body = R"({"email":"nobody@example.com","password":"wrong"})";
  char size[16];
  std::snprintf(size, sizeof size, "%zx", body.size());
  const auto chunked = world.client().raw(
      "POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: Chunked\r\nConnection: close\r\n\r\n" +
      std::string(size) + "\r\n" + body + "\r\n0\r\n\r\n");
  EXPECT_EQ(chunked.status, 401) << chunked.body;
  EXPECT_EQ(chunked.json()["code"], "invalid_credentials");
}

TEST_F(Security, AnHttp11RequestNamesExactlyOneHost) {
  const auto none = world.client().raw_exchange("GET /healthz HTTP/1.1\r\n\r\n");
  ASSERT_EQ(none.responses.size(), 1u);
  EXPECT_EQ(none.responses[0].status, 400);
  EXPECT_TRUE(none.closed);
  const auto two =
      world.client().raw_exchange("GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
  ASSERT_EQ(two.responses.size(), 1u);
  EXPECT_EQ(two.responses[0].status, 400);
  const auto odd = world.client().raw_exchange("GET /healthz HTTP/1.1\r\nHost: a/b\r\n\r\n");
  ASSERT_EQ(odd.responses.size(), 1u);
  EXPECT_EQ(odd.responses[0].status, 400);
  // HTTP/1.0 may leave it out; one Host with a port is fine.
  EXPECT_EQ(world.client().raw("GET /healthz HTTP/1.0\r\n\r\n").status, 200);
  EXPECT_EQ(world.client()
                .raw("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:80\r\n"
                     "Connection: close\r\n\r\n")
                .status,
            200);
}

TEST_F(Security, HeadAnswersAsGetWouldWithoutABody) {
  const auto get = world.client().get("/openapi.json");
  const auto head = world.client().head("/openapi.json");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.header("content-length"), std::to_string(get.body.size()));
  EXPECT_EQ(head.header("content-type"), get.header("content-type"));

  // On a POST-only route HEAD is 405 with Allow, and that answer has no body
  // either: the bytes right after its head are the next response's.
  const auto exchange = world.client().raw_exchange(
      "HEAD /v1/auth/login HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const auto& bytes = exchange.bytes;
  ASSERT_EQ(bytes.rfind("HTTP/1.1 405", 0), 0u) << bytes;
  EXPECT_NE(bytes.find("Allow: POST\r\n"), std::string::npos) << bytes;
  const auto head_end = bytes.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos);
  EXPECT_EQ(bytes.substr(head_end + 4, 12), "HTTP/1.1 200") << bytes;
  // A 404 to HEAD alike: nothing after the head.
  const auto missing = world.client().raw_exchange(
      "HEAD /v1/nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  ASSERT_EQ(missing.bytes.rfind("HTTP/1.1 404", 0), 0u) << missing.bytes;
  EXPECT_EQ(missing.bytes.find("\r\n\r\n") + 4, missing.bytes.size()) << missing.bytes;
  EXPECT_TRUE(missing.closed);
}

TEST_F(Security, NulAnywhereInABodyIsRefusedAndNeverCut) {
  const auto admin = world.admin();
  const auto property = world.property("nul");
  const auto manager = world.staff(property, "manager");
  // A NUL in a value, in a key, deep inside: 400, and nothing written.
  for (const std::string body : {R"({"label": "A\u0000B"})", R"({"lab\u0000el": "A"})",
                                 R"({"label": "A", "x": [{"y": "\u0000"}]})"}) {
    const auto response =
        world.client().post("/v1/properties/" + property + "/units", body, manager.auth());
    EXPECT_EQ(response.status, 400) << body << ": " << response.body;
    EXPECT_EQ(response.json()["code"], "nul_character") << body;
  }
  EXPECT_EQ(testing::query_value(server.database_url(), "SELECT count(*) FROM units"), "0");
  // A name that would have been cut at the NUL is refused whole.
  const auto staff = world.client().post(
      "/v1/properties/" + property + "/staff",
      R"({"email": "cut@example.com", "display_name": "Real\u0000Fake", "role": "staff"})",
      admin.auth());
  EXPECT_EQ(staff.status, 400) << staff.body;
  EXPECT_EQ(testing::query_value(server.database_url(),
                                 "SELECT count(*) FROM users WHERE email = 'cut@example.com'"),
            "0");
}

TEST_F(Security, TypedNamesRefuseLineBreaksAndControlCharacters) {
  const auto admin = world.admin();
  const auto property = world.property("ctl");
  for (const std::string name : {"Inject\r\nBcc: x@example.com", "Tab\there", "Bell\u0007",
                                 "C1\u0085next", "Line\u2028separator"}) {
    const auto response = world.client().post(
        "/v1/properties/" + property + "/staff",
        nlohmann::json{{"email", "ctl@example.com"}, {"display_name", name}, {"role", "staff"}}
            .dump(),
        admin.auth());
    ASSERT_EQ(response.status, 422) << response.body;
    EXPECT_EQ(response.json()["errors"][0]["field"], "display_name");
    EXPECT_EQ(response.json()["errors"][0]["code"], "control_characters");
  }
  EXPECT_EQ(testing::query_value(server.database_url(),
                                 "SELECT count(*) FROM outbox WHERE payload->>'to' = "
                                 "'ctl@example.com'"),
            "0");
  // Accents and other scripts are text, not control characters.
  const auto fine = world.client().post(
      "/v1/properties/" + property + "/staff",
      nlohmann::json{
          {"email", "ok@example.com"}, {"display_name", "Zoë Ōkubo-Ñúñez 李"}, {"role", "staff"}}
          .dump(),
      admin.auth());
  EXPECT_EQ(fine.status, 201) << fine.body;
}

TEST_F(Security, EveryCursorComponentIsChecked) {
  const auto property = world.property("cursors");
  const auto manager = world.staff(property, "manager");
  const std::string p = "/v1/properties/" + property;
  const auto cursor = [](const nlohmann::json& value) {
    return common::base64url_encode(value.dump());
  };
  const std::vector<std::pair<std::string, nlohmann::json>> forged = {
      {p + "/residents", {"a", "b", "not-a-uuid"}},
      {p + "/residents", {"a", 7, "00000000-0000-0000-0000-000000000000"}},
      {p + "/residents", {std::string(300, 'a'), "b", "00000000-0000-0000-0000-000000000000"}},
      {p + "/residents", {"a\u0001", "b", "00000000-0000-0000-0000-000000000000"}},
      {p + "/units", {"L", "nope"}},
      {p + "/units", {"L", "00000000-0000-0000-0000-000000000000", "extra"}},
      {p + "/audit", {"12"}},
      {p + "/audit", {99999999999999999999.0}},
      {p + "/visitors", {"yesterday", "00000000-0000-0000-0000-000000000000"}},
      {"/v1/me/calls", {"2026-01-01T00:00:00Z", "x"}},
  };
  for (const auto& [path, value] : forged) {
    const auto response = world.client().get(path + "?cursor=" + cursor(value), manager.auth());
    EXPECT_EQ(response.status, 422) << path << " " << value.dump() << ": " << response.body;
    EXPECT_EQ(response.json()["errors"][0]["field"], "cursor") << path;
  }
}

TEST_F(Security, AnswersThatCarrySecretsAreNeverCached) {
  const auto admin = world.admin();
  const auto property = world.property("cache");
  const auto login = world.client().post(
      "/v1/auth/login",
      nlohmann::json{{"email", admin.email}, {"password", admin.password}}.dump());
  ASSERT_EQ(login.status, 200);
  const auto refresh = world.client().post(
      "/v1/auth/refresh", nlohmann::json{{"refresh_token", login.json()["refresh_token"]}}.dump());
  const auto panel = world.client().post("/v1/properties/" + property + "/panels",
                                         R"({"name": "Lobby"})", admin.auth());
  const auto refused =
      world.client().post("/v1/auth/login", R"({"email": "a@b.cd", "password": "x"})");
  for (const auto* response : {&login, &refresh, &panel, &refused}) {
    EXPECT_EQ(response->header("cache-control"), "no-store") << response->body;
    EXPECT_EQ(response->header("pragma"), "no-cache");
  }
  // Activation answers with a token pair too.
  const auto invited = world.client().post(
      "/v1/properties/" + property + "/staff",
      R"({"email": "new@example.com", "display_name": "New", "role": "staff"})", admin.auth());
  ASSERT_EQ(invited.status, 201);
  const auto activated = world.client().post(
      "/v1/auth/activate", nlohmann::json{{"token", world.invite_token_for("new@example.com")},
                                          {"password", "a long enough passphrase"}}
                               .dump());
  ASSERT_EQ(activated.status, 200) << activated.body;
  EXPECT_EQ(activated.header("cache-control"), "no-store");
}

TEST_F(Security, PushTokensHaveTheirProvidersShape) {
  const auto resident = world.resident(world.property("tokens"));
  const auto hex = testing::apns_token("phone");
  const std::vector<nlohmann::json> refused = {
      {{"platform", "ios"}, {"push_token", "abc/../xyz" + std::string(60, 'a')}},
      {{"platform", "ios"}, {"push_token", hex}, {"voip_token", "abc/../xyz"}},
      {{"platform", "ios"}, {"push_token", hex.substr(1)}},  // odd length
      {{"platform", "ios"}, {"push_token", std::string(64, 'g')}},
      {{"platform", "android"}, {"push_token", "fcm token with spaces"}},
      {{"platform", "android"}, {"push_token", "fcm/../path"}},
      {{"platform", "android"}, {"push_token", "fcm-ok-token"}, {"voip_token", hex}},
  };
  for (const auto& body : refused) {
    const auto response = world.client().post("/v1/me/devices", body.dump(), resident.auth());
    EXPECT_EQ(response.status, 422) << body.dump() << ": " << response.body;
  }
  EXPECT_EQ(testing::query_value(server.database_url(), "SELECT count(*) FROM devices"), "0");
  EXPECT_EQ(world.client().post("/v1/me/devices", testing::iphone("good"), resident.auth()).status,
            201);
  EXPECT_EQ(world.client()
                .post("/v1/me/devices", R"({"platform":"android","push_token":"fA1-_:x.y"})",
                      resident.auth())
                .status,
            201);
}

TEST_F(Security, TheWebhookSecretIsCheckedBeforeTheBodyIsRead) {
  const auto unknown = "/v1/webhooks/bmx/" + std::string(64, 'f');
  for (const std::string body : {R"({"event": {"data": "\u0000"}})", "not json at all", "{"}) {
    const auto response = world.client().post(unknown, body);
    EXPECT_EQ(response.status, 404) << body << ": " << response.body;
  }
  // Not hex is not a secret.
  EXPECT_EQ(world.client().post("/v1/webhooks/bmx/" + std::string(64, 'z'), "{}").status, 404);
}

TEST_F(Security, ManyFailuresFromOneAddressSlowItDownButLockNobodyOut) {
  const auto admin = world.admin();
  const auto login = [&](const std::string& email, const std::string& password) {
    return world.client().post("/v1/auth/login",
                               nlohmann::json{{"email", email}, {"password", password}}.dump());
  };
  // Someone behind the same address guesses at 20 accounts.
  for (int i = 0; i < 20; ++i) login("guess" + std::to_string(i) + "@example.com", "wrong!");
  // The address now waits a moment after each failure...
  const auto slowed = login(admin.email, admin.password);
  EXPECT_EQ(slowed.status, 429);
  EXPECT_EQ(slowed.header("retry-after"), "1");
  // ...and once that moment has passed, an account that did nothing wrong logs in.
  server.clock().advance(std::chrono::seconds(1));
  EXPECT_EQ(login(admin.email, admin.password).status, 200);
  // Each further failure from the address costs another wait.
  EXPECT_EQ(login("guess99@example.com", "wrong!").status, 401);
  EXPECT_EQ(login(admin.email, admin.password).status, 429);
  server.clock().advance(std::chrono::seconds(1));
  EXPECT_EQ(login(admin.email, admin.password).status, 200);
}

// Issue 30: behind a load balancer every client shared its address, so one
// guesser made a resident's correct logins answer 429. A trusted proxy's
// X-Forwarded-For now names the client; anyone else's is ignored.
TEST(TrustedProxies, ATrustedBalancerNamesTheClientAndNobodyElseCan) {
  TestServer server(
      {.configure = [](app::Config& config) { config.http.trusted_proxies = "127.0.0.0/8, ::1"; }});
  World world(server);
  const auto admin = world.admin();
  const auto login = [&](const std::string& email, const std::string& password,
                         const std::string& forwarded_for) {
    return world.client().post("/v1/auth/login",
                               nlohmann::json{{"email", email}, {"password", password}}.dump(),
                               {{"X-Forwarded-For", forwarded_for}});
  };
  // One guesser behind the balancer fails at 20 accounts and is slowed down...
  for (int i = 0; i < 20; ++i) {
    login("guess" + std::to_string(i) + "@example.com", "wrong!", "203.0.113.9");
  }
  EXPECT_EQ(login(admin.email, admin.password, "203.0.113.9").status, 429);
  // ...while another client of the same balancer logs in, every time.
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(login(admin.email, admin.password, "198.51.100.7").status, 200);
  }
  // A client cannot pose as another by writing the header itself: the balancer
  // appends the address it saw, and only that one counts.
  EXPECT_EQ(login(admin.email, admin.password, "198.51.100.7, 203.0.113.9").status, 429);

  // Without trust, the header means nothing: the peer is the client.
  TestServer plain;
  World direct(plain);
  const auto other = direct.admin();
  for (int i = 0; i < 20; ++i) {
    direct.client().post(
        "/v1/auth/login",
        nlohmann::json{{"email", "g" + std::to_string(i) + "@example.com"}, {"password", "wrong!"}}
            .dump(),
        {{"X-Forwarded-For", "203.0.113." + std::to_string(i)}});
  }
  EXPECT_EQ(direct.client()
                .post("/v1/auth/login",
                      nlohmann::json{{"email", other.email}, {"password", other.password}}.dump(),
                      {{"X-Forwarded-For", "198.51.100.7"}})
                .status,
            429);
}

}  // namespace
}  // namespace frontdoor
