#include "frontdoor/directory/service.hpp"

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

bool DirectoryService::allow(const std::string& panel_id) {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (now - window_ > std::chrono::minutes(1)) {
    searches_.clear();
    window_ = now;
  }
  return ++searches_[panel_id] <= searches_per_minute_;
}

boost::asio::awaitable<std::vector<Entry>> DirectoryService::search(const auth::Principal& panel,
                                                                    const std::string& query) {
  if (!allow(panel.panel_id)) throw common::ApiError::rate_limited(60);
  co_return co_await store::search(database_, panel.panel_property_id, query);
}

}  // namespace frontdoor::directory
