#pragma once

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::visitors::store {

// Registers the module's prepared statements (names start with "visitors_").
void prepare(db::Pool& pool);

}  // namespace frontdoor::visitors::store
