#pragma once

// The directory module's SQL (store.cpp): one search, read on the I/O thread.
#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "frontdoor/directory/service.hpp"

namespace frontdoor::db {
class Pool;
class AsyncDatabase;
}  // namespace frontdoor::db

namespace frontdoor::directory::store {

// Registers the search (statement "directory_search") for the I/O threads.
void prepare(db::Pool& pool, db::AsyncDatabase& database);

std::string search_sql();

// Up to kMaxEntries listed, current residents of the property matching the query.
// One more search by this panel: whether it is within `per_minute`, counted in
// Postgres so that N instances cannot multiply the limit.
boost::asio::awaitable<bool> search_allowed(db::AsyncDatabase& database,
                                            const std::string& panel_id, int per_minute);
boost::asio::awaitable<std::vector<Entry>> search(db::AsyncDatabase& database,
                                                  const std::string& property_id,
                                                  const std::string& query);

}  // namespace frontdoor::directory::store
