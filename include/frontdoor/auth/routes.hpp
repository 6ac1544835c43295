#pragma once

#include "frontdoor/auth/guarded_routes.hpp"
#include "frontdoor/auth/service.hpp"

namespace frontdoor::auth {

// POST /v1/auth/login, /v1/auth/refresh, /v1/auth/activate; GET /v1/me.
void add_routes(Routes& routes, AuthService& service);

}  // namespace frontdoor::auth
