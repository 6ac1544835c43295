#pragma once

#include "frontdoor/auth/guarded_routes.hpp"

namespace frontdoor::bmx {

class BmxService;

// A property's BMX integration, a resident's BMX link (/v1/me/bmx) and BMX's webhook.
void add_routes(auth::Routes& routes, BmxService& service);

}  // namespace frontdoor::bmx
