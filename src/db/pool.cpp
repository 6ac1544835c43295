#include "frontdoor/db/pool.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/except>
#include <pqxx/nontransaction>

#include "frontdoor/common/log.hpp"
#include "frontdoor/common/threads.hpp"
#include "frontdoor/db/errors.hpp"

namespace frontdoor::db {
std::string with_connect_timeout(const std::string& url, std::chrono::seconds timeout) {
  if (url.find("connect_timeout") != std::string::npos) return url;
  const std::string setting = "connect_timeout=" + std::to_string(timeout.count());
  const bool is_uri = url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0;
  if (!is_uri) return url + (url.empty() ? "" : " ") + setting;
  return url + (url.find('?') == std::string::npos ? "?" : "&") + setting;
}

long long sweep(Pool& pool, const Statement& statement, long long retention_seconds,
                int most_batches) {
  if (statement.parameters != 2) {
    throw std::logic_error("a sweep statement takes the retention and the batch size");
  }
  constexpr int kBatch = 1000;
  long long deleted = 0;
  for (int batch = 0; batch < most_batches; ++batch) {
    const auto rows = pool.run([&](pqxx::connection& connection) {
      pqxx::nontransaction tx(connection);
      return exec(tx, statement, retention_seconds, kBatch).affected_rows();
    });
    deleted += static_cast<long long>(rows);
    if (rows < kBatch) break;
  }
  return deleted;
}

Pool::Pool(PoolOptions options)
    : options_(std::move(options)),
      conninfo_(with_connect_timeout(options_.url, options_.connect_timeout)) {}

Pool::~Pool() { close(); }

void Pool::prepare(const Statement& statement) {
  check_declaration(statement);
  prepare(std::string(statement.name), std::string(statement.sql));
}

void Pool::prepare(std::string name, std::string sql) {
  std::lock_guard lock(mutex_);
  statements_.emplace_back(std::move(name), std::move(sql));
}

std::string Pool::statement_sql(const std::string& name) const {
  std::lock_guard lock(mutex_);
  for (const auto& [statement, sql] : statements_) {
    if (statement == name) return sql;
  }
  return {};
}

Pool::Lease::~Lease() {
  if (pool != nullptr) pool->release(*this);
}

Pool::Lease Pool::acquire() {
  // libpqxx blocks: on an I/O thread it would stop every connection of that thread.
  if (common::on_io_thread()) {
    common::log::error("a blocking database call on an I/O thread", {});
    throw std::logic_error("a blocking database call on an I/O thread");
  }
  std::unique_lock lock(mutex_);
  const bool ready = available_.wait_for(lock, options_.acquire_timeout, [this] {
    return closed_ || !idle_.empty() || in_use_ + idle_.size() < options_.size;
  });
  if (closed_ || !ready) throw database_unavailable();
  // Drop idle connections that predate a detected outage; they are dead too.
  std::erase_if(idle_, [this](const Idle& idle) { return idle.epoch < epoch_; });

  Lease lease;
  lease.epoch = epoch_;
  ++in_use_;
  if (!idle_.empty()) {
    lease.connection = std::move(idle_.back().connection);
    lease.epoch = idle_.back().epoch;
    idle_.pop_back();
    lease.pool = this;
    return lease;
  }
  lock.unlock();
  try {
    lease.connection = open();
  } catch (const std::exception& failure) {
    lock.lock();
    --in_use_;
    available_.notify_one();
    common::log::warn("database connection failed", {{"internal", failure.what()}});
    throw database_unavailable();
  }
  lease.pool = this;
  return lease;
}

std::unique_ptr<pqxx::connection> Pool::open() {
  auto connection = std::make_unique<pqxx::connection>(conninfo_);
  std::vector<std::pair<std::string, std::string>> statements;
  {
    std::lock_guard lock(mutex_);
    statements = statements_;
  }
  for (const auto& [name, sql] : statements) connection->prepare(name, sql);
  return connection;
}

void Pool::handle_failure(Lease& lease, const std::exception& failure) {
  if (!is_connection_failure(failure) && lease.connection->is_open()) return;
  lease.broken = true;
  std::lock_guard lock(mutex_);
  // Every connection opened before now shares this one's fate.
  if (lease.epoch >= epoch_) epoch_ = lease.epoch + 1;
}

void Pool::release(Lease& lease) {
  std::unique_ptr<pqxx::connection> retired;
  {
    std::lock_guard lock(mutex_);
    --in_use_;
    if (lease.broken || closed_ || lease.epoch < epoch_) {
      retired = std::move(lease.connection);
    } else {
      idle_.push_back({std::move(lease.connection), lease.epoch});
    }
  }
  available_.notify_one();
  // Closing a connection talks to the server; do it outside the lock.
  retired.reset();
}

PoolStats Pool::stats() const {
  std::lock_guard lock(mutex_);
  return {in_use_, idle_.size(), options_.size};
}

void Pool::close() {
  std::vector<Idle> closing;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    closing.swap(idle_);
  }
  available_.notify_all();
}

}  // namespace frontdoor::db
