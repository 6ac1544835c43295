#pragma once

// The properties module's SQL (store.cpp) behind typed functions: arguments in,
// row structs out. Nothing else in the module names a statement.
#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "frontdoor/properties/types.hpp"

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::properties::store {

// Registers the module's prepared statements (names start with "properties_").
void prepare(db::Pool& pool);

// The new property's id and creation time; nothing when the time zone is not one
// the server knows. Throws pqxx::unique_violation when the site name is taken.
struct Created {
  std::string id;
  common::TimePoint created_at;
};
std::optional<Created> insert(pqxx::transaction_base& tx, const NewProperty& property);

std::optional<Property> find(pqxx::transaction_base& tx, const std::string& property_id);
std::optional<std::string> name_of(pqxx::transaction_base& tx, const std::string& property_id);
std::optional<Settings> settings_of(pqxx::transaction_base& tx, const std::string& property_id);

struct SettingsChanged {
  Settings before;
  Settings after;
};
// Nothing when there is no such property.
std::optional<SettingsChanged> change_settings(pqxx::transaction_base& tx,
                                               const std::string& property_id,
                                               const SettingsChange& change);

// The new unit's id; nothing when there is no such property. Throws
// pqxx::unique_violation when the label is taken.
std::optional<std::string> insert_unit(pqxx::transaction_base& tx, const std::string& property_id,
                                       const std::string& label,
                                       const std::optional<std::string>& floor);
// Up to query.limit + 1 units in label order (the extra one only says that more follow).
std::vector<Unit> list_units(pqxx::transaction_base& tx, const std::string& property_id,
                             const UnitQuery& query);

// The new panel's id; nothing when there is no such property.
std::optional<std::string> insert_panel(pqxx::transaction_base& tx, const std::string& property_id,
                                        const NewPanel& panel, const std::string& key_hash);
// Whether a panel of that property was still live (and is revoked now).
bool revoke_panel(pqxx::transaction_base& tx, const std::string& property_id,
                  const std::string& panel_id);

}  // namespace frontdoor::properties::store
