#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "frontdoor/common/clock.hpp"
#include "frontdoor/common/keyset.hpp"
#include "frontdoor/common/names.hpp"

namespace frontdoor::visitors {

// The kinds of pass (docs/api.md, "Pass kinds, limits and the deny list"), each
// issued as its own BMX keychain type.
enum class Kind { window, one_time, recurring, delivery };
// Who the visitor may open for: the pass page's QR code only (property_only), or
// an account of their own with BMX credentials in the app (property_wide).
enum class Access { property_only, property_wide };
// Where the visitor's pass stands at BMX (the passes module's pass_states).
enum class PassStatus { pending, issued, failed, revoked };
// What the apps show for a visit, decided from its pass and window at "now".
enum class VisitorStatus { scheduled, active, arrived, used_up, expired, revoked };

// A weekly pass's windows, on the property's wall clock: on each of `days`
// from `from` to `to`, every week from starts_on to ends_on (both included).
struct Schedule {
  std::vector<std::chrono::weekday> days;  // unique, Monday first
  std::chrono::minutes from{};             // after local midnight
  std::chrono::minutes to{};
  std::chrono::sys_days starts_on;
  std::chrono::sys_days ends_on;
};

// A visit to add, as a resident or the staff asked for it.
// The name a courier's pass carries when none was given.
inline constexpr const char* kDeliveryName = "Delivery";

struct NewVisit {
  Kind kind = Kind::window;
  std::optional<Schedule> schedule;  // recurring only; its span fills starts_at/ends_at
  std::optional<int> max_uses;       // window only; one_time and delivery have 1
  // A resident who lives at several properties names the one the visit is to.
  std::optional<std::string> property_id;
  std::string name;
  // Whether the name is the visitor's own (a courier's may be left out, and is
  // then kDeliveryName): only a given name is checked against the deny list.
  bool name_given = true;
  std::optional<std::string> phone;
  std::optional<std::string> email;
  Access access = Access::property_wide;
  common::TimePoint starts_at;
  common::TimePoint ends_at;
};

// A visitor as the apps see it, with its pass.
struct Visitor {
  struct Pass {
    PassStatus status = PassStatus::pending;
    // Entries BMX reported for the pass's key, and the cap (nothing: no cap).
    int uses = 0;
    std::optional<int> max_uses;
    std::optional<common::TimePoint> first_used_at;
    std::optional<common::TimePoint> last_used_at;
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
  Access access = Access::property_wide;
  Kind kind = Kind::window;
  std::optional<Schedule> schedule;
  common::TimePoint starts_at;
  common::TimePoint ends_at;
  common::TimePoint created_at;  // also the list's keyset position, to the microsecond
  std::optional<common::TimePoint> arrived_at;
  VisitorStatus status = VisitorStatus::active;
  Pass pass;
};

// Someone the property has banned from being invited (its deny list).
struct NewDenial {
  std::optional<std::string> name;
  std::optional<std::string> phone;  // E.164
  std::optional<std::string> email;  // lower case
  std::string reason;                // for the staff; never shown to residents
};
struct Denial {
  std::string id;
  std::string property_id;
  std::optional<std::string> name;
  std::optional<std::string> phone;
  std::optional<std::string> email;
  std::string reason;
  common::TimePoint created_at;  // also the list's keyset position, to the microsecond
  // On the answer that added it: the visitors whose passes it revoked.
  std::vector<std::string> revoked_visitor_ids = {};
};

// Newest first, keyset on (created_at, id).
using DenialQuery = common::PageQuery<common::TimeAndId>;
using DenialPage = common::Page<Denial, common::TimeAndId>;
using VisitorQuery = common::PageQuery<common::TimeAndId>;
using VisitorPage = common::Page<Visitor, common::TimeAndId>;

}  // namespace frontdoor::visitors

namespace frontdoor::common {

template <>
struct Names<visitors::Kind> {
  using Kind = visitors::Kind;
  static constexpr std::array<std::pair<Kind, std::string_view>, 4> all{
      {{Kind::window, "window"},
       {Kind::one_time, "one_time"},
       {Kind::recurring, "recurring"},
       {Kind::delivery, "delivery"}}};
};
template <>
struct Names<visitors::Access> {
  using Access = visitors::Access;
  static constexpr std::array<std::pair<Access, std::string_view>, 2> all{
      {{Access::property_only, "property_only"}, {Access::property_wide, "property_wide"}}};
};
template <>
struct Names<visitors::PassStatus> {
  using Status = visitors::PassStatus;
  static constexpr std::array<std::pair<Status, std::string_view>, 4> all{
      {{Status::pending, "pending"},
       {Status::issued, "issued"},
       {Status::failed, "failed"},
       {Status::revoked, "revoked"}}};
};
template <>
struct Names<visitors::VisitorStatus> {
  using Status = visitors::VisitorStatus;
  static constexpr std::array<std::pair<Status, std::string_view>, 6> all{
      {{Status::scheduled, "scheduled"},
       {Status::active, "active"},
       {Status::arrived, "arrived"},
       {Status::used_up, "used_up"},
       {Status::expired, "expired"},
       {Status::revoked, "revoked"}}};
};

}  // namespace frontdoor::common
