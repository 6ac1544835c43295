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
boost::asio::awaitable<std::vector<Entry>> search(db::AsyncDatabase& database,
                                                  const std::string& property_id,
                                                  const std::string& query);

}  // namespace frontdoor::directory::store
