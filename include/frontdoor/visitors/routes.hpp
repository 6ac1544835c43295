#pragma once

#include "frontdoor/auth/guarded_routes.hpp"

namespace frontdoor::visitors {

class VisitorsService;
class DenyList;

// A resident's visitors (/v1/me/visitors), the staff's (/v1/properties/{pid}/visitors)
// and the property's deny list (/v1/properties/{pid}/deny-list).
void add_routes(auth::Routes& routes, VisitorsService& visitors, DenyList& deny_list);

}  // namespace frontdoor::visitors
