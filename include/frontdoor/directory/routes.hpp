#pragma once

#include "frontdoor/auth/guarded_routes.hpp"

namespace frontdoor::directory {

class DirectoryService;

// GET /v1/panel/directory, on the I/O thread.
void add_routes(auth::Routes& routes, DirectoryService& directory);

}  // namespace frontdoor::directory
