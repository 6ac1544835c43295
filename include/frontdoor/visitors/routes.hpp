#pragma once

#include "frontdoor/auth/guarded_routes.hpp"

namespace frontdoor::visitors {

class VisitorsService;

// A resident's visitors (/v1/me/visitors) and the staff's (/v1/properties/{pid}/visitors).
void add_routes(auth::Routes& routes, VisitorsService& visitors);

}  // namespace frontdoor::visitors
