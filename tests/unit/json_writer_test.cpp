// The hot list routes write JSON with http::JsonWriter; the others build an
// nlohmann::json and dump it. Both must give the same bytes for the same value.
#include "frontdoor/http/json_writer.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "frontdoor/common/time.hpp"
#include "frontdoor/visitors/json.hpp"

namespace frontdoor {
namespace {

std::string nlohmann_text(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string written(std::string_view text) {
  http::JsonWriter out;
  out.value(text);
  return out.take();
}

TEST(JsonWriter, EscapesStringsAsNlohmannDoes) {
  for (const std::string& text :
       {std::string(""), std::string("plain"), std::string("quote \" and \\ backslash"),
        std::string("\b\f\n\r\t"), std::string("\x01\x1f\x7f", 3), std::string("nul \0 in", 8),
        std::string("José Müller 李 🚪"), std::string("\xe2\x80\xa8 separator"),
        std::string("bad \xff byte"), std::string("cut \xe2\x82"), std::string("\xc0\xaf overlong"),
        std::string("\xed\xa0\x80 surrogate"), std::string("\xf4\x90\x80\x80 past U+10FFFF")}) {
    EXPECT_EQ(written(text), nlohmann_text(text)) << "for " << nlohmann_text(text);
  }
}

TEST(JsonWriter, RandomBytesGiveNlohmannsText) {
  std::mt19937 random(20261202);
  // Bytes drawn mostly from the interesting ranges: controls, quotes, UTF-8 lead
  // and continuation bytes, and plain letters.
  const std::string alphabet =
      std::string("\x00\x01\x08\x09\x0a\x0c\x0d\x1f\x22\x5c\x7f", 11) +
      "aZ \x80\xbf\xc2\xc3\xa9\xe2\x82\xac\xed\xa0\xf0\x9f\x9a\xaa\xf4\xff";
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1), length(0, 24);
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    for (auto n = length(random); n > 0; --n) text.push_back(alphabet[pick(random)]);
    ASSERT_EQ(written(text), nlohmann_text(text)) << "for " << nlohmann_text(text);
  }
}

TEST(JsonWriter, ContainersNullsAndRawValuesNest) {
  http::JsonWriter inner;
  inner.begin_array().value("a").null().begin_object().end_object().begin_array().end_array();
  inner.end_array();
  http::JsonWriter out;
  out.begin_object().key("a").raw(inner.text()).key("b").value(std::optional<std::string>());
  out.key("c").begin_object().key("x").value(std::optional<std::string>("y")).end_object();
  out.key("d").value("z").end_object();
  EXPECT_EQ(out.text(), R"({"a":["a",null,{},[]],"b":null,"c":{"x":"y"},"d":"z"})");
  EXPECT_EQ(out.text(), nlohmann::json::parse(out.text()).dump());
}

// The shape the apps read, built the old way, field by field.
nlohmann::json visitor_as_before(const visitors::Visitor& visitor) {
  const auto text_or_null = [](const std::optional<std::string>& text) {
    return text ? nlohmann::json(*text) : nlohmann::json(nullptr);
  };
  const auto time_or_null = [](const std::optional<common::TimePoint>& time) {
    return time ? nlohmann::json(common::to_rfc3339(*time)) : nlohmann::json(nullptr);
  };
  const auto name = [](auto state) { return std::string(common::name_of(state)); };
  nlohmann::json pass = {{"status", name(visitor.pass.status)},
                         {"uses", visitor.pass.uses},
                         {"max_uses", visitor.pass.max_uses ? nlohmann::json(*visitor.pass.max_uses)
                                                            : nlohmann::json(nullptr)},
                         {"first_used_at", time_or_null(visitor.pass.first_used_at)},
                         {"last_used_at", time_or_null(visitor.pass.last_used_at)}};
  if (visitor.pass.failure_code) {
    pass["failure_code"] = *visitor.pass.failure_code;
    pass["failure_reason"] = text_or_null(visitor.pass.failure_reason);
  }
  nlohmann::json shape = {{"id", visitor.id},
                          {"kind", name(visitor.kind)},
                          {"name", visitor.name},
                          {"phone", text_or_null(visitor.phone)},
                          {"email", text_or_null(visitor.email)},
                          {"access", name(visitor.access)},
                          {"starts_at", common::to_rfc3339(visitor.starts_at)},
                          {"ends_at", common::to_rfc3339(visitor.ends_at)},
                          {"created_at", common::to_rfc3339(visitor.created_at)},
                          {"arrived_at", time_or_null(visitor.arrived_at)},
                          {"status", name(visitor.status)},
                          {"property_id", visitor.property_id},
                          {"pass", pass}};
  if (visitor.schedule)
    shape["schedule"] = nlohmann::json::parse(visitors::schedule_json(*visitor.schedule));
  return shape;
}

common::TimePoint at(std::string_view text) { return *common::parse_rfc3339(text); }

TEST(JsonWriter, AVisitorIsWrittenAsItWasBuilt) {
  visitors::Visitor issued;
  issued.id = "7c1e0d5e-0000-4000-8000-000000000001";
  issued.property_id = "7c1e0d5e-0000-4000-8000-0000000000aa";
  issued.name = "Dana \"D\" O'Neil";
  issued.phone = "+15551234567";
  issued.access = visitors::Access::property_only;
  issued.starts_at = at("2026-12-02T10:00:00Z");
  issued.ends_at = at("2026-12-02T18:00:00Z");
  // A fraction of a second: the API writes whole seconds.
  issued.created_at = at("2026-12-01T09:00:00.25Z");
  issued.status = visitors::VisitorStatus::active;
  issued.pass.status = visitors::PassStatus::issued;
  auto failed = issued;
  failed.email = "dana@example.com";
  failed.arrived_at = at("2026-12-02T10:05:00Z");
  failed.status = visitors::VisitorStatus::arrived;
  failed.pass.status = visitors::PassStatus::failed;
  failed.pass.failure_code = "bmx_rejected";
  auto explained = failed;
  explained.pass.failure_reason = "Keychain refused:\nname taken";
  auto weekly = issued;
  weekly.kind = visitors::Kind::recurring;
  weekly.schedule = visitors::Schedule{{std::chrono::Monday, std::chrono::Thursday},
                                       std::chrono::hours(9),
                                       std::chrono::hours(12),
                                       std::chrono::sys_days(std::chrono::year(2027) / 1 / 4),
                                       std::chrono::sys_days(std::chrono::year(2027) / 3 / 1)};
  weekly.pass.uses = 3;
  weekly.pass.max_uses = 10;
  weekly.pass.first_used_at = at("2027-01-04T14:01:00Z");
  weekly.pass.last_used_at = at("2027-01-07T14:02:00Z");
  for (const auto& visitor : {issued, failed, explained, weekly}) {
    http::JsonWriter out;
    visitors::write_json(out, visitor);
    EXPECT_EQ(out.text(), nlohmann_text(visitor_as_before(visitor)));
    EXPECT_EQ(visitors::to_json(visitor), visitor_as_before(visitor));
  }
}

}  // namespace
}  // namespace frontdoor
