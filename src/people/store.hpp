#pragma once

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::people::store {

// Registers the module's prepared statements (names start with "people_").
void prepare(db::Pool& pool);

}  // namespace frontdoor::people::store
