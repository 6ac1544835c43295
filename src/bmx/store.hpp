#pragma once

// The bmx module's SQL (store.cpp) behind typed functions: arguments in, row
// structs out. Nothing else in the module names a statement.
#include <chrono>
#include <cstdint>
#include <optional>
#include <pqxx/transaction_base>
#include <string>
#include <vector>

#include "frontdoor/bmx/types.hpp"
#include "frontdoor/common/clock.hpp"

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::bmx::store {

// Registers the module's prepared statements.
void prepare(db::Pool& pool);

// --- Site set-up ---------------------------------------------------------

// The property's site name (its placeholder e-mail is made from it); nothing
// when there is no such property.
std::optional<std::string> site_name(pqxx::transaction_base& tx, const std::string& property_id);
// Whether another property is already connected to this BMX building.
bool building_taken(pqxx::transaction_base& tx, std::int64_t building_id,
                    const std::string& property_id);
std::optional<Site> site(pqxx::transaction_base& tx, const std::string& property_id);

struct NewIntegration {
  std::string property_id;
  std::int64_t building_id = 0;
  std::string building_name;
  std::string credential_id;
  std::int64_t placeholder_unit_id = 0;
  std::int64_t placeholder_tenant_id = 0;
  std::string webhook_secret_hash;
  std::string bmx_integration_id;
  std::string configured_by;
};
// Connects (or reconnects) the property; revokes the credential it replaces.
// Returns when it was configured.
common::TimePoint upsert_integration(pqxx::transaction_base& tx, const NewIntegration& integration);

struct Created {
  std::string id;
  common::TimePoint created_at;
};
Created insert_set_up_request(pqxx::transaction_base& tx, const std::string& property_id,
                              const std::string& requested_by,
                              const std::optional<std::string>& building_name,
                              const std::optional<std::string>& note);

// --- Residents' links ------------------------------------------------------

struct StoredLink {
  std::string credential_id;
  Link link;
  bool stale = false;  // the contact preference was read before `fresh_after`
  bool bmx_app_installed = false;
};
std::optional<StoredLink> find_link(pqxx::transaction_base& tx, const std::string& user_id,
                                    const std::string& property_id, common::TimePoint fresh_after);

struct NewLink {
  std::string user_id;
  std::string property_id;
  std::string credential_id;
  std::int64_t building_id = 0;
  std::int64_t tenant_id = 0;
  std::int64_t unit_id = 0;
  std::string contact_preference;
};
// Links (or relinks) the resident; revokes the credential it replaces. Returns
// when it was linked. Throws pqxx::unique_violation when another account holds
// this tenant.
common::TimePoint upsert_link(pqxx::transaction_base& tx, const NewLink& link);
void mark_link_checked(pqxx::transaction_base& tx, const std::string& user_id,
                       const std::string& property_id, const std::string& contact_preference,
                       common::TimePoint checked_at);

struct Unlinked {
  std::string property_id;
  std::int64_t tenant_id = 0;
};
// Removes the link (at one property, or any) and revokes its credential.
std::optional<Unlinked> delete_link(pqxx::transaction_base& tx, const std::string& user_id,
                                    const std::optional<std::string>& property_id);

// The BMX building of a connected property: its id and name.
struct SiteBuilding {
  std::int64_t id = 0;
  std::string name;
};
std::optional<SiteBuilding> site_building(pqxx::transaction_base& tx,
                                          const std::string& property_id);

void insert_link_state(pqxx::transaction_base& tx, const std::string& user_id,
                       const std::string& state_hash, common::TimePoint expires_at,
                       const std::string& property_id);
// The property the sign-in was started for, when the state is this user's and
// has not expired; the state is used up either way.
std::optional<std::string> take_link_state(pqxx::transaction_base& tx,
                                           const std::string& state_hash,
                                           const std::string& user_id, common::TimePoint now);
long long sweep_link_states(db::Pool& pool, std::chrono::seconds retention);

// --- Whose sign-in acts ------------------------------------------------------

struct SignIn {
  std::string credential_id;
  std::int64_t tenant_id = 0;
  std::int64_t building_id = 0;
};
// The resident's own.
std::optional<SignIn> resident_sign_in(pqxx::transaction_base& tx, const std::string& user_id,
                                       const std::string& property_id);
// The building admin's, on the site's placeholder tenant.
std::optional<SignIn> site_sign_in(pqxx::transaction_base& tx, const std::string& property_id);
// The resident's own when linked, else the site's: one round trip.
std::optional<SignIn> door_sign_in(pqxx::transaction_base& tx, const std::string& user_id,
                                   const std::string& property_id);
// The frontdoor user linked to this BMX tenant.
std::optional<std::string> linked_user(pqxx::transaction_base& tx, std::int64_t building_id,
                                       std::int64_t tenant_id);

// --- Webhooks --------------------------------------------------------------

std::optional<std::string> webhook_property(pqxx::transaction_base& tx,
                                            const std::string& secret_hash);

struct Received {
  bool integration_found = false;
  bool queued = false;  // false for a duplicate (or an event not kept)
};
// Notes the delivery, keeps the event once (when it is one frontdoor acts on:
// a non-empty resource type) and queues its processing.
Received receive_webhook(pqxx::transaction_base& tx, const std::string& property_id,
                         const std::string& resource_type, const std::string& action,
                         std::int64_t resource_id, const std::string& payload);

struct QueuedEvent {
  std::string property_id;
  std::string resource_type;
  std::int64_t resource_id = 0;
  std::int64_t building_id = 0;
  std::string credential_id;
};
std::optional<QueuedEvent> webhook_event(pqxx::transaction_base& tx, const std::string& event_id);
void mark_webhook_processed(pqxx::transaction_base& tx, const std::string& event_id,
                            const std::string& outcome);

// --- Health ----------------------------------------------------------------

struct Failure {
  std::string property_id;
  std::string operation;
  std::string kind;
  int bmx_status = 0;
  std::string detail;
  std::optional<std::string> bmx_request_id;
};
// Keeps the latest failure per (property, operation).
void record_error(pqxx::transaction_base& tx, const Failure& failure);
std::vector<RecordedError> errors_for(pqxx::transaction_base& tx, const std::string& property_id);
std::optional<ConnectedSite> connected_site(pqxx::transaction_base& tx,
                                            const std::string& property_id);

struct SetUpRequests {
  int count = 0;
  std::optional<common::TimePoint> last_at;
};
SetUpRequests set_up_requests_for(pqxx::transaction_base& tx, const std::string& property_id);

// --- BMX users' tokens, sealed (bmx_credentials) ------------------------------

// Registers the credentials' statements (Credentials does, as it is made).
void prepare_credentials(db::Pool& pool);

// A token pair as stored: both sealed under `key_id`.
struct SealedPair {
  std::string key_id;
  std::string access_token;   // sealed bytes
  std::string refresh_token;  // sealed bytes
  common::TimePoint access_expires_at;
};
void insert_credential(pqxx::transaction_base& tx, const std::string& id, const SealedPair& pair);
void rotate_credential(pqxx::transaction_base& tx, const std::string& id, const SealedPair& pair);
// The stored pair, or nothing when there is no such credential; `locked` takes
// the row's lock until the transaction ends (a refresh rotates it once).
struct StoredCredential {
  SealedPair pair;
  bool revoked = false;
};
std::optional<StoredCredential> credential(pqxx::transaction_base& tx, const std::string& id);
std::optional<StoredCredential> locked_credential(pqxx::transaction_base& tx,
                                                  const std::string& id);
void revoke_credential(pqxx::transaction_base& tx, const std::string& id);

}  // namespace frontdoor::bmx::store
