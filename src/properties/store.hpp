#pragma once

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::properties::store {

// Registers the module's prepared statements (names start with "properties_").
void prepare(db::Pool& pool);

}  // namespace frontdoor::properties::store
