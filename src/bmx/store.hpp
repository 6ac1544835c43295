#pragma once

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::bmx::store {

// Registers the module's prepared statements (names start with "bmx_").
void prepare(db::Pool& pool);

}  // namespace frontdoor::bmx::store
