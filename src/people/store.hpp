#pragma once

// The people module's SQL (store.cpp) behind typed functions: arguments in,
// row structs out. Nothing else in the module names a statement.
#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "frontdoor/people/types.hpp"

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::people::store {

// Registers the module's prepared statements (names start with "people_").
void prepare(db::Pool& pool);

std::optional<std::string> property_name(pqxx::transaction_base& tx,
                                         const std::string& property_id);
std::optional<std::string> property_of_residency(pqxx::transaction_base& tx,
                                                 const std::string& residency_id);

// The new residency's id. Throws pqxx::foreign_key_violation for a unit of
// another property and pqxx::unique_violation when the person lives here already.
std::string insert_residency(pqxx::transaction_base& tx, const std::string& property_id,
                             const std::string& user_id, const MoveIn& resident);
std::optional<Resident> resident(pqxx::transaction_base& tx, const std::string& residency_id);
// Up to query.page.limit + 1 current residents (the extra one only says that more
// follow), each with its place in the list (the names as the database folds them).
struct Listed {
  Resident resident;
  NameAndId position;
};
std::vector<Listed> list_residents(pqxx::transaction_base& tx, const std::string& property_id,
                                   const ResidentQuery& query);
// The user of a residency that was current and has ended now; nothing when it
// had ended already.
std::optional<std::string> end_residency(pqxx::transaction_base& tx,
                                         const std::string& residency_id);

struct DirectoryChanged {
  std::string residency_id;
  DirectoryEntry entry;
};
// Nothing when the person does not live at that property now.
std::optional<DirectoryChanged> change_directory_entry(pqxx::transaction_base& tx,
                                                       const std::string& user_id,
                                                       const std::string& property_id,
                                                       const DirectoryChange& change);

// The device's id: a push token belongs to one phone, so registering it again
// moves it to the caller.
std::string upsert_device(pqxx::transaction_base& tx, const std::string& user_id,
                          const Device& device);
bool remove_device(pqxx::transaction_base& tx, const std::string& user_id,
                   const std::string& device_id);
std::vector<DeviceReport> devices_of(pqxx::transaction_base& tx, const std::string& user_id);

}  // namespace frontdoor::people::store
