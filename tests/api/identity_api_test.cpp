// Logins, tokens, invitations and rate limits, through the real server.
#include <gtest/gtest.h>

#include "../support/world.hpp"

namespace frontdoor {
namespace {

using testing::Account;
using testing::HttpResponse;
using testing::TestServer;
using testing::World;

HttpResponse login(World& world, const std::string& email, const std::string& password) {
  return world.client().post("/v1/auth/login",
                             nlohmann::json{{"email", email}, {"password", password}}.dump());
}

HttpResponse refresh(World& world, const std::string& token) {
  return world.client().post("/v1/auth/refresh", nlohmann::json{{"refresh_token", token}}.dump());
}

TEST(IdentityApi, LoginAnswersTheSameForAWrongPasswordAndAnUnknownEmail) {
  TestServer server;
  World world(server);
  auto admin = world.admin();
  auto ok = login(world, "ADMIN@example.com", admin.password);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.json()["token_type"], "Bearer");
  EXPECT_EQ(ok.json()["expires_in"], 900);

  auto wrong = login(world, admin.email, "not the password at all");
  auto unknown = login(world, "nobody@example.com", "not the password at all");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.json()["code"], "invalid_credentials");
  EXPECT_EQ(wrong.json()["detail"], unknown.json()["detail"]);
  EXPECT_EQ(wrong.json()["code"], unknown.json()["code"]);
}

TEST(IdentityApi, FailedLoginsAreLimitedPerAccountUntilTheWindowPasses) {
  TestServer server;
  World world(server);
  auto admin = world.admin();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(login(world, admin.email, "wrong password!").status, 401);
  // Even the right password is refused while the account is limited.
  auto limited = login(world, admin.email, admin.password);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.json()["code"], "rate_limited");
  const int retry_after = std::stoi(limited.header("retry-after"));
  EXPECT_GT(retry_after, 0);
  EXPECT_LE(retry_after, 900);
  // An unknown e-mail gets limited just the same.
  for (int i = 0; i < 5; ++i) login(world, "ghost@example.com", "wrong password!");
  EXPECT_EQ(login(world, "ghost@example.com", "wrong password!").status, 429);

  server.clock().advance(std::chrono::minutes(16));
  EXPECT_EQ(login(world, admin.email, admin.password).status, 200);
}

TEST(IdentityApi, FailedLoginsAreLimitedPerAddress) {
  TestServer server;
  World world(server);
  world.admin();
  // 20 failures from one address across different accounts.
  for (int i = 0; i < 20; ++i) {
    login(world, "someone" + std::to_string(i) + "@example.com", "wrong password!");
  }
  auto limited = login(world, "admin@example.com", "a long enough passphrase");
  EXPECT_EQ(limited.status, 429) << limited.body;
}

TEST(IdentityApi, RefreshRotatesAndReuseRevokesTheWholeFamily) {
  TestServer server;
  World world(server);
  auto admin = world.admin();
  auto first = refresh(world, admin.refresh_token);
  ASSERT_EQ(first.status, 200) << first.body;
  const std::string second_token = first.json()["refresh_token"];
  EXPECT_NE(second_token, admin.refresh_token);

  // The old token is spent; presenting it again signals theft.
  auto reused = refresh(world, admin.refresh_token);
  EXPECT_EQ(reused.status, 401);
  EXPECT_EQ(reused.json()["code"], "invalid_refresh_token");
  // ...so the token the legitimate holder got is revoked too.
  EXPECT_EQ(refresh(world, second_token).status, 401);
  // A separate login is another family and unaffected.
  auto other = world.login(admin.email, admin.password);
  EXPECT_EQ(refresh(world, other.refresh_token).status, 200);
}

TEST(IdentityApi, RefreshTokensExpireAndGarbageIsRefused) {
  TestServer server;
  World world(server);
  auto admin = world.admin();
  EXPECT_EQ(refresh(world, "not-a-token").status, 401);
  auto missing = world.client().post("/v1/auth/refresh", "{}");
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(missing.json()["errors"][0]["field"], "refresh_token");
  server.clock().advance(std::chrono::hours(24 * 31));
  EXPECT_EQ(refresh(world, admin.refresh_token).status, 401);
}

TEST(IdentityApi, AccessTokensExpireAfterFifteenMinutes) {
  TestServer server;
  World world(server);
  auto admin = world.admin();
  EXPECT_EQ(world.client().get("/v1/me", admin.auth()).status, 200);
  server.clock().advance(std::chrono::minutes(16));
  auto expired = world.client().get("/v1/me", admin.auth());
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(expired.json()["code"], "unauthenticated");
}

TEST(IdentityApi, ForgedAndMalformedTokensAreRefused) {
  TestServer server;
  World world(server);
  auto admin = world.admin();
  auto forged = admin.access_token;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  for (const std::string& header :
       {"Bearer " + forged, std::string("Bearer "), std::string("Basic abc"),
        std::string("Bearer a.b.c"), std::string("Bearer fdp_unknownkey"),
        // alg "none" with no signature
        std::string("Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")}) {
    auto response = world.client().get("/v1/me", {{"Authorization", header}});
    EXPECT_EQ(response.status, 401) << header;
  }
}

TEST(IdentityApi, MeShowsTheAccountAndItsRoles) {
  TestServer server;
  World world(server);
  const auto property = world.property("maple");
  auto manager = world.staff(property, "manager");
  auto me = world.client().get("/v1/me", manager.auth()).json();
  EXPECT_EQ(me["email"], manager.email);
  ASSERT_EQ(me["roles"].size(), 1u);
  EXPECT_EQ(me["roles"][0]["role"], "manager");
  EXPECT_EQ(me["roles"][0]["property_id"], property);
}

TEST(IdentityApi, InvitesWorkOnceAndExpireAfterSevenDays) {
  TestServer server;
  World world(server);
  const auto property = world.property("birch");
  auto invite = [&](const std::string& email) {
    EXPECT_EQ(
        world.client()
            .post(
                "/v1/properties/" + property + "/staff",
                nlohmann::json{{"email", email}, {"display_name", "Sam"}, {"role", "staff"}}.dump(),
                world.admin().auth())
            .status,
        201);
    return world.invite_token_for(email);
  };
  auto activate = [&](const std::string& token, const std::string& password) {
    return world.client().post("/v1/auth/activate",
                               nlohmann::json{{"token", token}, {"password", password}}.dump());
  };

  const auto token = invite("sam@example.com");
  // A weak password is refused and the invitation stays usable.
  auto weak = activate(token, "1234567890");
  EXPECT_EQ(weak.status, 422);
  EXPECT_EQ(weak.json()["code"], "weak_password");
  EXPECT_EQ(activate(token, "short").json()["code"], "weak_password");
  EXPECT_EQ(activate(token, "sam-example-home").status, 200);
  auto again = activate(token, "another good passphrase");
  EXPECT_EQ(again.status, 422);
  EXPECT_EQ(again.json()["code"], "invalid_invite");
  EXPECT_EQ(login(world, "sam@example.com", "sam-example-home").status, 200);

  const auto late = invite("lee@example.com");
  server.clock().advance(std::chrono::hours(24 * 7 + 1));
  EXPECT_EQ(activate(late, "a long enough passphrase").json()["code"], "invalid_invite");
}

}  // namespace
}  // namespace frontdoor
