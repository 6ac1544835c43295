#pragma once

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::passes::store {

// Registers the module's prepared statements (names start with "passes_").
void prepare(db::Pool& pool);

}  // namespace frontdoor::passes::store
