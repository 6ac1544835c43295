#pragma once

#include <optional>
#include <string>

#include "frontdoor/common/clock.hpp"
#include "frontdoor/common/keyset.hpp"

namespace frontdoor::visitors {

// A visit to add, as a resident or the staff asked for it.
struct NewVisit {
  // A resident who lives at several properties names the one the visit is to.
  std::optional<std::string> property_id;
  std::string name;
  std::optional<std::string> phone;
  std::optional<std::string> email;
  std::string access;  // property_only, property_wide
  common::TimePoint starts_at;
  common::TimePoint ends_at;
};

// A visitor as the apps see it, with its pass.
struct Visitor {
  struct Pass {
    std::string status;  // pending, issued, failed, revoked
    std::optional<std::string> failure_code;
    std::optional<std::string> failure_reason;
    // The pass page of a property-only visitor, on the answer that created it only:
    // the link is not kept (its token is stored as a hash).
    std::optional<std::string> url;
  };
  std::string id;
  std::string property_id;
  std::string name;
  std::optional<std::string> phone;
  std::optional<std::string> email;
  std::string access;
  std::string starts_at;  // RFC 3339
  std::string ends_at;
  std::string created_at;
  std::optional<std::string> arrived_at;
  std::string status;  // scheduled, active, arrived, expired, revoked
  Pass pass;
  std::string cursor;  // created_at with microseconds, for the next page
};

// Newest first, keyset on (created_at, id).
using VisitorQuery = common::PageQuery<common::TimeAndId>;
using VisitorPage = common::Page<Visitor, common::TimeAndId>;

}  // namespace frontdoor::visitors
