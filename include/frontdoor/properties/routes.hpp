#pragma once

#include "frontdoor/auth/guarded_routes.hpp"

namespace frontdoor::properties {

class PropertiesService;

// Properties, their units, staff, settings and panels.
void add_routes(auth::Routes& routes, PropertiesService& service);

}  // namespace frontdoor::properties
