// The visitors module's pure rules: when a visit may be, and how long a
// property-only visit may last.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>

#include "frontdoor/visitors/rules.hpp"

namespace frontdoor::visitors {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const common::TimePoint kNow = common::TimePoint(std::chrono::seconds(1'800'000'000));

NewVisit visit(common::TimePoint starts_at, common::TimePoint ends_at,
               Access access = Access::property_only) {
  NewVisit visit;
  visit.name = "Ada";
  visit.access = access;
  visit.starts_at = starts_at;
  visit.ends_at = ends_at;
  return visit;
}

// "field:code" of each problem, to compare as a set.
std::set<std::string> problems(const NewVisit& visit) {
  std::set<std::string> found;
  for (const auto& error : rules::window_problems(visit, kNow)) {
    found.insert(error.field + ":" + error.code);
  }
  return found;
}

TEST(VisitWindow, AVisitFromNowOnIsFine) {
  EXPECT_TRUE(problems(visit(kNow, kNow + hours(2))).empty());
  EXPECT_TRUE(problems(visit(kNow + hours(24), kNow + hours(26))).empty());
}

TEST(VisitWindow, AStartAFewMinutesAgoStillCountsAsNow) {
  EXPECT_TRUE(problems(visit(kNow - minutes(5), kNow + hours(1))).empty());
  EXPECT_EQ(problems(visit(kNow - minutes(6), kNow + hours(1))),
            std::set<std::string>{"starts_at:in_the_past"});
}

TEST(VisitWindow, TheEndComesAfterTheStartAndInTheFuture) {
  EXPECT_EQ(problems(visit(kNow + hours(2), kNow + hours(2))),
            std::set<std::string>{"ends_at:before_start"});
  EXPECT_EQ(problems(visit(kNow + hours(3), kNow + hours(1))),
            std::set<std::string>{"ends_at:before_start"});
  EXPECT_EQ(problems(visit(kNow - hours(3), kNow - hours(1))),
            (std::set<std::string>{"ends_at:in_the_past", "starts_at:in_the_past"}));
}

TEST(VisitWindow, AVisitLastsAtMostAYear) {
  EXPECT_TRUE(problems(visit(kNow, kNow + rules::kLongestVisit)).empty());
  EXPECT_EQ(problems(visit(kNow, kNow + rules::kLongestVisit + minutes(1))),
            std::set<std::string>{"ends_at:too_long"});
}

TEST(VisitLength, APropertyOnlyVisitKeepsToThePropertysLimit) {
  EXPECT_FALSE(rules::length_refusal(visit(kNow, kNow + hours(24)), 24));
  const auto refused = rules::length_refusal(visit(kNow, kNow + hours(24) + minutes(1)), 24);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status(), 422);
  EXPECT_EQ(refused->code(), "duration_exceeds_limit");
  ASSERT_EQ(refused->errors().size(), 1u);
  EXPECT_EQ(refused->errors()[0].field, "ends_at");
  EXPECT_NE(refused->detail().find("24 hours"), std::string::npos) << refused->detail();
}

TEST(VisitLength, APropertyWideVisitHasNoSuchLimit) {
  EXPECT_FALSE(
      rules::length_refusal(visit(kNow, kNow + hours(24 * 30), Access::property_wide), 24));
}

TEST(PassLimits, NoLimitRefusesNothing) {
  EXPECT_FALSE(rules::PassLimits{}.any());
  EXPECT_FALSE(rules::limit_refusal({}, {1000, 1000}));
}

TEST(PassLimits, TheLimitIsTheMostAResidentHolds) {
  const rules::PassLimits two_active{2, std::nullopt};
  EXPECT_FALSE(rules::limit_refusal(two_active, {1, 50}));
  const auto refused = rules::limit_refusal(two_active, {2, 0});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status(), 409);
  EXPECT_EQ(refused->code(), "active_pass_limit_reached");
}

TEST(PassLimits, TheDailyLimitCountsTodaysCreatesWhateverBecameOfThem) {
  const rules::PassLimits three_a_day{std::nullopt, 3};
  EXPECT_FALSE(rules::limit_refusal(three_a_day, {0, 2}));
  const auto refused = rules::limit_refusal(three_a_day, {0, 3});
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code(), "daily_pass_limit_reached");
  // Both reached: the active one is named first (revoking one helps at once).
  EXPECT_EQ(rules::limit_refusal({1, 1}, {1, 1})->code(), "active_pass_limit_reached");
}

// What the apps show, at "now": the cap first, then revocation, then the window.
TEST(VisitorStatus, TheCapThenRevocationThenTheWindowDecide) {
  Visitor visitor;
  visitor.starts_at = kNow + hours(1);
  visitor.ends_at = kNow + hours(3);
  EXPECT_EQ(rules::status_at(visitor, kNow), VisitorStatus::scheduled);
  EXPECT_EQ(rules::status_at(visitor, kNow + hours(1)), VisitorStatus::active);
  EXPECT_EQ(rules::status_at(visitor, kNow + hours(3)), VisitorStatus::expired);
  visitor.arrived_at = kNow + hours(1);
  EXPECT_EQ(rules::status_at(visitor, kNow + hours(2)), VisitorStatus::arrived);
  EXPECT_EQ(rules::status_at(visitor, kNow + hours(4)), VisitorStatus::expired);
  visitor.pass.status = PassStatus::revoked;
  EXPECT_EQ(rules::status_at(visitor, kNow + hours(2)), VisitorStatus::revoked);
  // A pass that reached its cap reads used up, though revoking it followed.
  visitor.pass.max_uses = 2;
  visitor.pass.uses = 2;
  EXPECT_EQ(rules::status_at(visitor, kNow + hours(2)), VisitorStatus::used_up);
  EXPECT_EQ(rules::status_at(visitor, kNow + hours(4)), VisitorStatus::used_up);
  // No cap: any number of uses leaves the window to decide.
  visitor.pass.max_uses.reset();
  visitor.pass.status = PassStatus::issued;
  EXPECT_EQ(rules::status_at(visitor, kNow + hours(2)), VisitorStatus::arrived);
}

}  // namespace
}  // namespace frontdoor::visitors
