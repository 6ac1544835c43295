#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <pqxx/transaction>
#include <string>
#include <vector>

#include "frontdoor/audit/audit.hpp"
#include "frontdoor/auth/principal.hpp"
#include "frontdoor/bmx/client.hpp"
#include "frontdoor/bmx/credentials.hpp"
#include "frontdoor/bmx/types.hpp"
#include "frontdoor/bmx/webhook_event.hpp"
#include "frontdoor/common/clock.hpp"
#include "frontdoor/notify/dispatcher.hpp"

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::bmx {

namespace store {
struct SignIn;
}

struct ServiceSettings {
  std::string accounts_url;
  std::string client_id;
  std::string redirect_uri;
  std::string placeholder_email_domain;
  std::string webhook_base_url;  // frontdoor as BMX reaches it
};

// A webhook whose truth was read back from BMX, handed to the modules that act
// on it (calls, passes).
struct VerifiedCall {
  std::string property_id;
  std::string user_id;  // the linked resident
  Call call;
};
struct VerifiedAccess {
  std::string property_id;
  AccessLog access;
};

// A BMX account to act with, and the tenant it acts for.
struct BmxAccess {
  std::unique_ptr<TokenSource> token;
  std::int64_t tenant_id = 0;
  std::int64_t building_id = 0;
};

// Everything frontdoor does with ButterflyMX accounts: a property's site set-up
// (the building admin's tokens, the placeholder tenant, the webhook
// registration), residents' links, inbound webhooks, and what support needs.
class BmxService {
 public:
  BmxService(db::Pool& pool, BmxClient& client, const Credentials& credentials,
             const audit::AuditTrail& audit, const common::Clock& clock, ServiceSettings settings);

  // Site set-up (admin) and the manager's request to the operator.
  SiteIntegration set_up(const auth::Principal& actor, const std::string& property_id,
                         std::int64_t building_id, const std::string& authorization_code);
  SiteIntegration integration(const auth::Principal& actor, const std::string& property_id);
  SetUpRequest request_set_up(const auth::Principal& actor, const std::string& property_id,
                              const std::optional<std::string>& building_name,
                              const std::optional<std::string>& note);
  Health health(const auth::Principal& actor, const std::string& property_id);

  // A resident's own BMX link at one of their homes (`property`, or their only one).
  LinkStatus link_status(const auth::Principal& actor, const std::optional<std::string>& property);
  // The home comes from the state of the authorize URL the sign-in started with.
  LinkStatus link(const auth::Principal& actor, const std::string& code, const std::string& state);
  void unlink(const auth::Principal& actor, const std::optional<std::string>& property);
  // The move-out hook: the link goes with the residency.
  void unlink_in(pqxx::work& tx, const auth::Principal& actor, const std::string& user_id,
                 const std::string& property_id) const;
  // For a resident's diagnostics: the link as stored, without asking BMX.
  std::optional<Link> link_summary(const std::string& user_id,
                                   const std::string& property_id) const;

  // Inbound webhooks. The property whose webhook secret this is, or nullopt:
  // checked before the body is read.
  std::optional<std::string> webhook_property(const std::string& secret);
  // Stored (once) and queued in the outbox in one round trip; the answer does not
  // wait for BMX. `event` is nothing for an event frontdoor does not act on (it
  // is acknowledged and dropped); `payload` is the body as received. Throws 404
  // when the integration went away meanwhile.
  WebhookReceipt receive_webhook(const std::string& property_id,
                                 const std::optional<WebhookEvent>& event,
                                 const std::string& payload);
  // The outbox handler for a stored event: reads the truth back from BMX and
  // hands it on.
  notify::Delivery process_webhook(const std::string& event_id);
  void on_call(std::function<void(const VerifiedCall&)> handler);
  void on_access(std::function<void(const VerifiedAccess&)> handler);

  // Visitor passes: a keychain for exactly the visit's window, and its one key.
  // BMX knows no idempotency keys, so the keychain carries a name to be found by.
  std::optional<std::int64_t> find_keychain(BmxAccess& access, const std::string& name);
  // On the access's tenant, whatever the request names.
  std::int64_t create_keychain(BmxAccess& access, KeychainRequest request);
  // The keychain's key: the one an earlier attempt made, or a new one (which BMX
  // e-mails when `email` is given). A key BMX refuses for good takes its keychain
  // back with it, since a keychain without its key is useless (NOTES.md).
  VirtualKey issue_key(BmxAccess& access, std::int64_t keychain_id, const std::string& name,
                       const std::optional<std::string>& email);
  // A keychain already gone at BMX counts as deleted.
  void delete_keychain(BmxAccess& access, std::int64_t keychain_id);
  // Every keychain with this name but `keep`.
  void delete_keychains_named(BmxAccess& access, const std::string& name,
                              std::optional<std::int64_t> keep);
  // How often a key has opened a door, and when first and last (BMX's count).
  VirtualKey key_usage(BmxAccess& access, std::int64_t key_id);
  // Who opens a door for this resident: their own BMX sign-in when linked, else
  // the building admin's on the site's placeholder tenant; nullopt when neither.
  std::optional<BmxAccess> door_access(const std::string& user_id, const std::string& property_id);
  // The access point (door) a panel's BMX device opens, looked up in BMX.
  std::optional<std::int64_t> find_access_point(BmxAccess& access, std::int64_t device_id);
  // Releases the door; BMX's release id. Throws BmxError, never retried here: the
  // resident sees the failure and may tap again.
  std::int64_t release_door(BmxAccess& access, std::int64_t access_point_id);
  // Whether BMX's access logs show this tenant's release of this door at or
  // after `since` (RFC 3339): what a release whose answer was lost really did.
  // Read with the building admin's token; throws BmxError.
  bool door_released_since(const std::string& property_id, std::int64_t access_point_id,
                           std::int64_t tenant_id, const std::string& since);
  // The resident's own sign-in and tenant at this property; nullopt when not linked.
  std::optional<BmxAccess> resident_access(const std::string& user_id,
                                           const std::string& property_id);
  // The building admin's sign-in and the site's placeholder tenant; nullopt when
  // the site is not set up.
  std::optional<BmxAccess> site_access(const std::string& property_id);
  bool is_linked(pqxx::work& tx, const std::string& user_id, const std::string& property_id) const;
  bool is_set_up(pqxx::work& tx, const std::string& property_id) const;
  // A fresh authorize URL (with a new state) for this user's home at this property.
  std::string authorize_url(const std::string& user_id, const std::string& property_id);

  // Deletes sign-in states expired longer ago than `retention`; returns how many.
  long long sweep_link_states(std::chrono::seconds retention);

  // Support's error history (the BmxClient's FailureObserver).
  void record_failure(const TokenSource* as, const BmxError& error);

 private:
  // A sign-in (credential, tenant, building) read by one of the access statements.
  std::optional<BmxAccess> access_from(const std::optional<store::SignIn>& sign_in,
                                       const std::string& property_id) const;
  std::string placeholder_email(const std::string& site_name) const;
  std::string new_link_state(const std::string& user_id, const std::string& property_id);
  LinkStatus unlinked_status(const std::string& user_id, const std::string& property_id);

  db::Pool& pool_;
  BmxClient& client_;
  const Credentials& credentials_;
  const audit::AuditTrail& audit_;
  const common::Clock& clock_;
  ServiceSettings settings_;
  std::vector<std::function<void(const VerifiedCall&)>> call_handlers_;
  std::vector<std::function<void(const VerifiedAccess&)>> access_handlers_;
};

}  // namespace frontdoor::bmx
