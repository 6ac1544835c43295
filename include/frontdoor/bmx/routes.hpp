#pragma once

#include "frontdoor/auth/authenticator.hpp"
#include "frontdoor/bmx/service.hpp"
#include "frontdoor/http/router.hpp"
#include "frontdoor/notify/dispatcher.hpp"

namespace frontdoor::bmx {

void add_routes(http::Router& router, BmxService& service, const auth::Authenticator& authenticator,
                notify::Dispatcher& dispatcher);

}  // namespace frontdoor::bmx
