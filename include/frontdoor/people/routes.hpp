#pragma once

#include "frontdoor/auth/guarded_routes.hpp"

namespace frontdoor::people {

class PeopleService;

// Residents (move in, list, move out, diagnostics), /v1/me/directory and /v1/me/devices.
void add_routes(auth::Routes& routes, PeopleService& service);

}  // namespace frontdoor::people
