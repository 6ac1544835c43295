#pragma once

// The properties module's types as the apps read them (docs/api.md,
// "Properties"); the audit trail records settings in the same shape.
#include <nlohmann/json.hpp>

#include "frontdoor/properties/types.hpp"

namespace frontdoor::properties {

nlohmann::json to_json(const Settings& settings);
nlohmann::json to_json(const Property& property);
nlohmann::json to_json(const Unit& unit);
nlohmann::json to_json(const InvitedStaff& staff);
nlohmann::json to_json(const Panel& panel);

}  // namespace frontdoor::properties
