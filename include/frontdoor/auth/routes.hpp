#pragma once

#include "frontdoor/auth/authenticator.hpp"
#include "frontdoor/auth/service.hpp"
#include "frontdoor/http/router.hpp"

namespace frontdoor::auth {

// POST /v1/auth/login, /v1/auth/refresh, /v1/auth/activate; GET /v1/me.
void add_routes(http::Router& router, AuthService& service, const Authenticator& authenticator);

}  // namespace frontdoor::auth
