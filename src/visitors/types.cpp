#include "frontdoor/visitors/types.hpp"

namespace frontdoor::visitors {

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::window:
      return "window";
    case Kind::one_time:
      return "one_time";
    case Kind::recurring:
      return "recurring";
    case Kind::delivery:
      return "delivery";
  }
  return "window";
}

std::optional<Kind> kind_named(std::string_view name) {
  for (auto kind : {Kind::window, Kind::one_time, Kind::recurring, Kind::delivery}) {
    if (kind_name(kind) == name) return kind;
  }
  return std::nullopt;
}

}  // namespace frontdoor::visitors
