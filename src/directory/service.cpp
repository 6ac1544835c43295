#include "frontdoor/directory/service.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "frontdoor/common/contact.hpp"
#include "frontdoor/common/error.hpp"
#include "store.hpp"

namespace frontdoor::directory {

std::string DirectoryService::search_sql() { return store::search_sql(); }

DirectoryService::DirectoryService(db::Pool& pool, db::AsyncDatabase& database,
                                   int searches_per_minute)
    : database_(database), searches_per_minute_(searches_per_minute) {
  store::prepare(pool, database_);
}

boost::asio::awaitable<std::vector<Entry>> DirectoryService::search(const auth::Principal& panel,
                                                                    const std::string& query) {
  // Both statements leave in the same round trip: the count costs the search nothing.
  const auto executor = co_await boost::asio::this_coro::executor;
  auto [order, count_failed, allowed, search_failed, entries] =
      co_await boost::asio::experimental::make_parallel_group(
          boost::asio::co_spawn(
              executor, store::search_allowed(database_, panel.panel_id, searches_per_minute_),
              boost::asio::deferred),
          boost::asio::co_spawn(executor, store::search(database_, panel.panel_property_id, query),
                                boost::asio::deferred))
          .async_wait(boost::asio::experimental::wait_for_all(), boost::asio::use_awaitable);
  if (count_failed) std::rethrow_exception(count_failed);
  if (search_failed) std::rethrow_exception(search_failed);
  if (!allowed) throw common::ApiError::rate_limited(60);
  co_return std::move(entries);
}

}  // namespace frontdoor::directory
