#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "frontdoor/auth/guarded_routes.hpp"
#include "frontdoor/people/types.hpp"

namespace frontdoor::people {

class PeopleService;

// One more section of a resident's diagnostics, from another module (the BMX
// link), read after the resident and carried under its name.
struct DiagnosticsSection {
  std::string name;
  std::function<nlohmann::json(const MovedOut& resident)> read;
};

// Residents (move in, list, move out, diagnostics), /v1/me/directory and /v1/me/devices.
void add_routes(auth::Routes& routes, PeopleService& service,
                std::vector<DiagnosticsSection> diagnostics_sections);

}  // namespace frontdoor::people
