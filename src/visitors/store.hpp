#pragma once

#include <optional>
#include <string>

#include "frontdoor/visitors/service.hpp"

namespace frontdoor::db {
class Pool;
class AsyncDatabase;
}  // namespace frontdoor::db

namespace frontdoor::visitors::store {

// Registers the module's prepared statements (names start with "visitors_").
void prepare(db::Pool& pool);
void use_on_the_io_threads(db::AsyncDatabase& database);

// The columns every visitor statement returns, in this order.
enum Column {
  kId,
  kName,
  kPhone,
  kEmail,
  kAccess,
  kStartsAt,
  kEndsAt,
  kCreatedAt,
  kPassStatus,
  kFailureCode,
  kFailureReason,
  kArrivedAt,
  kStatus,
  kCursor,
  kPropertyId,
  kHostUserId,  // visitors_get only
};

template <typename Field>
std::optional<std::string> text_or_null(const Field& field) {
  if (field.is_null()) return std::nullopt;
  return field.template as<std::string>();
}

// One visitor from a row of either path (libpqxx on a worker, the asynchronous
// path on an I/O thread): both read fields the same way.
template <typename Row>
Visitor visitor_from(const Row& row) {
  Visitor visitor;
  visitor.id = row[kId].template as<std::string>();
  visitor.name = row[kName].template as<std::string>();
  visitor.phone = text_or_null(row[kPhone]);
  visitor.email = text_or_null(row[kEmail]);
  visitor.access = row[kAccess].template as<std::string>();
  visitor.starts_at = row[kStartsAt].template as<std::string>();
  visitor.ends_at = row[kEndsAt].template as<std::string>();
  visitor.created_at = row[kCreatedAt].template as<std::string>();
  visitor.pass.status = row[kPassStatus].template as<std::string>();
  visitor.pass.failure_code = text_or_null(row[kFailureCode]);
  visitor.pass.failure_reason = text_or_null(row[kFailureReason]);
  visitor.arrived_at = text_or_null(row[kArrivedAt]);
  visitor.status = row[kStatus].template as<std::string>();
  visitor.cursor = row[kCursor].template as<std::string>();
  visitor.property_id = row[kPropertyId].template as<std::string>();
  return visitor;
}

}  // namespace frontdoor::visitors::store
