#pragma once

#include "frontdoor/auth/guarded_routes.hpp"

namespace frontdoor::calls {

class CallsService;

// The panel's calls (POST /v1/panel/calls, GET and cancel) and the resident's
// (GET /v1/me/calls, GET /v1/calls/{id}, accept, deny, media, open-door, hangup).
void add_routes(auth::Routes& routes, CallsService& calls);

}  // namespace frontdoor::calls
