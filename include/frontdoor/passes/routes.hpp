#pragma once

#include "frontdoor/auth/guarded_routes.hpp"

namespace frontdoor::passes {

class PassesService;
class PassPages;

// GET /v1/me/credentials, GET /p/{token}, GET /p/{token}/qr.svg.
void add_routes(auth::Routes& routes, PassesService& passes, PassPages& pages);

}  // namespace frontdoor::passes
