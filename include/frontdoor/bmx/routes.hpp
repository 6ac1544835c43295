#pragma once

#include "frontdoor/auth/authenticator.hpp"
#include "frontdoor/bmx/service.hpp"
#include "frontdoor/http/router.hpp"

namespace frontdoor::bmx {

void add_routes(http::Router& router, BmxService& service,
                const auth::Authenticator& authenticator);

}  // namespace frontdoor::bmx
