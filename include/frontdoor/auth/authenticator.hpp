#pragma once

#include <optional>

#include "frontdoor/auth/principal.hpp"
#include "frontdoor/auth/tokens.hpp"
#include "frontdoor/common/expiring_cache.hpp"
#include "frontdoor/http/message.hpp"

namespace frontdoor::db {
class Pool;
}

namespace frontdoor::auth {

inline constexpr std::string_view kPanelKeyPrefix = "fdp_";

// Turns the Authorization header into a Principal: a person's access token is
// verified without the database and their roles are read from it as they are now
// (the roles inside a token may predate a move-out); a panel key (fdp_...) is
// looked up by its hash.
//
// A panel searches the directory on every keystroke, so a key found valid is
// remembered for kPanelKeyTtl. Revoking a panel forgets it here at once; another
// instance may accept the revoked key until its entry expires. Keys not found
// are never remembered.
// The NOTIFY channel on which a revoked panel key reaches every instance, as
// "panel:<id>" (the properties module's revoke statement sends it).
inline constexpr const char* kInvalidationChannel = "frontdoor_invalidate";

// What a person's route answers a panel (403).
inline constexpr const char* kPanelsMayNot = "Panels may not use this route.";

class Authenticator {
 public:
  Authenticator(const AccessTokens& tokens, db::Pool& pool);

  // Anonymous without an Authorization header; 401 for a bad or expired credential.
  // A person comes with their current roles.
  Principal authenticate(const http::Request& request) const;
  // 401 without a credential; 403 for a panel. With the person's current roles.
  Principal require_user(const http::Request& request) const;
  // The same, but only who the person is (no roles, no database): for routes whose
  // statements are scoped to the caller's own rows and check any residency themselves.
  Principal require_person(const http::Request& request) const;
  // 401 without a credential; 403 for a person.
  Principal require_panel(const http::Request& request) const;
  // Call after revoking a panel, so this instance stops accepting its key now.
  void forget_panel(const std::string& panel_id) const;
  // A notification on kInvalidationChannel ("panel:<id>").
  void forget(const std::string& notification) const;
  // Everything cached: after missed notifications, every key is looked up again.
  void forget_every_panel() const;

  // For routes that run on the I/O thread (async_panel.hpp): the hash of the
  // panel key the request carries (401 without one, 403 for a person's token),
  // what the cache knows of it, and the identity the database found.
  std::string panel_key_hash(const http::Request& request) const;
  // Whether the Authorization header holds a panel key (fdp_...), valid or not.
  bool carries_panel_key(const http::Request& request) const;
  std::optional<Principal> cached_panel(const std::string& key_hash) const;
  Principal remember_panel(const std::string& key_hash, std::string panel_id,
                           std::string property_id) const;

  // 401 with WWW-Authenticate, as every refused credential gets.
  [[noreturn]] static void refuse_credentials();

  static constexpr std::chrono::seconds kPanelKeyTtl{10};

 private:
  Principal require(const http::Request& request, Principal::Kind kind, const char* refusal,
                    bool with_roles) const;
  // The credential alone: a user's id from their token, or a panel.
  Principal identify(const http::Request& request) const;
  std::vector<RoleAssignment> current_roles(const std::string& user_id) const;

  struct PanelIdentity {
    std::string panel_id;
    std::string property_id;
  };
  Principal panel_principal(const std::string& key) const;

  const AccessTokens& tokens_;
  db::Pool& pool_;
  mutable common::ExpiringCache<PanelIdentity> panel_keys_{kPanelKeyTtl, 10000};
};

}  // namespace frontdoor::auth
