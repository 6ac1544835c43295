#include <gtest/gtest.h>

#include "frontdoor/http/json.hpp"

namespace frontdoor::http {
namespace {

common::ApiError validation_error(const std::function<void()>& work) {
  try {
    work();
  } catch (const common::ApiError& error) {
    return error;
  }
  ADD_FAILURE() << "no error thrown";
  return common::ApiError{0, "", ""};
}

TEST(JsonFields, CollectsEveryFieldErrorInOneProblem) {
  auto body =
      nlohmann::json::parse(R"({"name": 5, "hours": 9000, "listed": "yes", "access": "x"})");
  auto error = validation_error([&] {
    JsonFields fields(body);
    fields.string("name", true, 1, 10);
    fields.integer("hours", true, 1, 8760);
    fields.boolean("listed", false);
    fields.one_of("access", true, {"property_only", "property_wide"});
    fields.string("phone", true, 1, 20);
    fields.finish();
  });
  EXPECT_EQ(error.status(), 422);
  ASSERT_EQ(error.errors().size(), 5u);
  EXPECT_EQ(error.errors()[0].field, "name");
  EXPECT_EQ(error.errors()[0].code, "type");
  EXPECT_EQ(error.errors()[1].code, "range");
  EXPECT_EQ(error.errors()[2].code, "type");
  EXPECT_EQ(error.errors()[3].code, "invalid");
  EXPECT_EQ(error.errors()[4].field, "phone");
  EXPECT_EQ(error.errors()[4].code, "required");
}

TEST(JsonFields, ReadsValidFieldsAndCountsCharactersNotBytes) {
  auto body = nlohmann::json::parse(R"({"name": "Zoë", "hours": 24})");
  JsonFields fields(body);
  EXPECT_EQ(fields.string("name", true, 1, 3).value(), "Zoë");
  EXPECT_EQ(fields.integer("hours", true, 1, 8760).value(), 24);
  EXPECT_FALSE(fields.boolean("listed", false).has_value());
  EXPECT_NO_THROW(fields.finish());
}

// Issue 29: "max_use": 1 was dropped in silence and made a pass without a cap.
TEST(JsonFields, AFieldNoReadAskedAboutIsRefusedByName) {
  auto body = nlohmann::json::parse(R"({"name": "Vera", "max_use": 1, "hours": 0})");
  try {
    JsonFields fields(body);
    fields.string("name", true, 1, 10);
    fields.integer("hours", true, 1, 8760);
    fields.integer("max_uses", false, 1, 100);
    fields.finish();
    FAIL() << "an unknown field was accepted";
  } catch (const common::ApiError& error) {
    EXPECT_EQ(error.status(), 422);
    EXPECT_EQ(error.code(), "unknown_field");
    EXPECT_EQ(error.errors().at(0).field, "max_use");
    // The other problems are still named.
    EXPECT_EQ(error.errors().at(1).field, "hours");
  }
  // Asking whether a field is there counts as knowing it.
  auto known = nlohmann::json::parse(R"({"schedule": null})");
  JsonFields fields(known);
  EXPECT_FALSE(fields.has("schedule"));
  EXPECT_NO_THROW(fields.finish());
}

TEST(JsonFields, HugeUnsignedNumbersAreOutOfRange) {
  auto body = nlohmann::json::parse(R"({"hours": 18446744073709551615})");
  auto error = validation_error([&] {
    JsonFields fields(body);
    fields.integer("hours", true, 1, 8760);
    fields.finish();
  });
  EXPECT_EQ(error.errors().at(0).code, "range");
}

TEST(ParseJsonBody, RejectsMalformedDeepAndWrongMediaType) {
  Request request;
  request.body = "{\"a\": ";
  EXPECT_EQ(validation_error([&] { parse_json_body(request); }).code(), "malformed_json");

  request.body = std::string(100, '[') + std::string(100, ']');
  EXPECT_EQ(validation_error([&] { parse_json_body(request); }).code(), "malformed_json");

  request.body = "\"\xff\xfe\"";
  EXPECT_EQ(validation_error([&] { parse_json_body(request); }).code(), "malformed_json");

  request.body = "{}";
  request.headers = {{"content-type", "text/plain"}};
  EXPECT_EQ(validation_error([&] { parse_json_body(request); }).status(), 415);

  request.headers = {{"content-type", "application/json; charset=utf-8"}};
  EXPECT_TRUE(parse_json_body(request).is_object());
}

}  // namespace
}  // namespace frontdoor::http
