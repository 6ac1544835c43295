// The security review's findings (issue 12), one test per class of defect, each
// through the real server: request smuggling, Host and HEAD, caching of secrets.
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

}  // namespace
}  // namespace frontdoor
