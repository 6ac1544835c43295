#pragma once

#include "frontdoor/auth/guarded_routes.hpp"

namespace frontdoor::webhooks {

class Webhooks;

// A property's integrator webhooks: /v1/properties/{pid}/webhooks, their secrets,
// their deliveries and redelivery.
void add_routes(auth::Routes& routes, Webhooks& webhooks);

}  // namespace frontdoor::webhooks
