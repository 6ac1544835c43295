#pragma once

#include "frontdoor/auth/guarded_routes.hpp"

namespace frontdoor::audit {

class AuditTrail;

// GET /v1/properties/{pid}/audit.
void add_routes(auth::Routes& routes, AuditTrail& trail);

}  // namespace frontdoor::audit
