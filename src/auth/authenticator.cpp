#include "frontdoor/auth/authenticator.hpp"

#include <boost/algorithm/string/predicate.hpp>
#include <pqxx/pqxx>

#include "frontdoor/common/error.hpp"
#include "frontdoor/common/random.hpp"
#include "frontdoor/db/pool.hpp"
#include "store.hpp"

namespace frontdoor::auth {
namespace {

common::ApiError invalid_credentials() {
  common::ApiError error = common::ApiError::unauthenticated(
      "The access token is missing, malformed or expired; log in or refresh.");
  error.with_header("WWW-Authenticate", "Bearer");
  return error;
}

}  // namespace

Authenticator::Authenticator(const AccessTokens& tokens, db::Pool& pool)
    : tokens_(tokens), pool_(pool) {
  store::prepare_authentication(pool_);
}

Principal Authenticator::authenticate(const http::Request& request) const {
  auto principal = identify(request);
  if (principal.kind == Principal::Kind::user) principal.roles = current_roles(principal.user_id);
  return principal;
}

// The roles written into an access token were true when it was issued; a move-out
// or any other change since must count at once, so they are read again here.
std::vector<RoleAssignment> Authenticator::current_roles(const std::string& user_id) const {
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::roles_of(tx, user_id);
  });
}

Principal Authenticator::identify(const http::Request& request) const {
  auto header = request.header("authorization");
  if (!header) return {};
  if (!boost::algorithm::istarts_with(*header, "bearer ") || header->size() > 4096) {
    throw invalid_credentials();
  }
  const std::string credential(header->substr(7));
  Principal principal;
  if (credential.rfind(kPanelKeyPrefix, 0) == 0) return panel_principal(credential);
  auto claims = tokens_.verify(credential);
  if (!claims) throw invalid_credentials();
  principal.kind = Principal::Kind::user;
  principal.user_id = claims->user_id;
  return principal;
}

Principal Authenticator::panel_principal(const std::string& key) const {
  const auto hash = common::sha256_hex(key);
  if (auto cached = cached_panel(hash)) return *cached;
  auto found = pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return store::panel_by_key(tx, hash);
  });
  if (!found) throw invalid_credentials();
  return remember_panel(hash, found->panel_id, found->property_id);
}

std::optional<Principal> Authenticator::cached_panel(const std::string& key_hash) const {
  auto identity = panel_keys_.get(key_hash);
  if (!identity) return std::nullopt;
  Principal principal;
  principal.kind = Principal::Kind::panel;
  principal.panel_id = std::move(identity->panel_id);
  principal.panel_property_id = std::move(identity->property_id);
  return principal;
}

Principal Authenticator::remember_panel(const std::string& key_hash, std::string panel_id,
                                        std::string property_id) const {
  panel_keys_.put(key_hash, PanelIdentity{panel_id, property_id});
  Principal principal;
  principal.kind = Principal::Kind::panel;
  principal.panel_id = std::move(panel_id);
  principal.panel_property_id = std::move(property_id);
  return principal;
}

std::string Authenticator::panel_key_hash(const http::Request& request) const {
  auto header = request.header("authorization");
  if (!header || !boost::algorithm::istarts_with(*header, "bearer ") || header->size() > 4096) {
    throw invalid_credentials();
  }
  const std::string credential(header->substr(7));
  if (credential.rfind(kPanelKeyPrefix, 0) == 0) return common::sha256_hex(credential);
  if (tokens_.verify(credential)) {
    throw common::ApiError::forbidden("Only a panel key may use this route.");
  }
  throw invalid_credentials();
}

bool Authenticator::carries_panel_key(const http::Request& request) const {
  auto header = request.header("authorization");
  return header && boost::algorithm::istarts_with(*header, "bearer ") &&
         header->substr(7).rfind(kPanelKeyPrefix, 0) == 0;
}

void Authenticator::refuse_credentials() { throw invalid_credentials(); }

void Authenticator::forget_panel(const std::string& panel_id) const {
  panel_keys_.erase_if(
      [&](const PanelIdentity& identity) { return identity.panel_id == panel_id; });
}

void Authenticator::forget(const std::string& notification) const {
  if (notification.rfind("panel:", 0) == 0) forget_panel(notification.substr(6));
}

void Authenticator::forget_every_panel() const {
  panel_keys_.erase_if([](const PanelIdentity&) { return true; });
}

Principal Authenticator::require(const http::Request& request, Principal::Kind kind,
                                 const char* refusal, bool with_roles) const {
  auto principal = with_roles ? authenticate(request) : identify(request);
  if (principal.kind == Principal::Kind::anonymous) throw invalid_credentials();
  if (principal.kind != kind) throw common::ApiError::forbidden(refusal);
  return principal;
}

Principal Authenticator::require_user(const http::Request& request) const {
  return require(request, Principal::Kind::user, kPanelsMayNot, true);
}

Principal Authenticator::require_person(const http::Request& request) const {
  return require(request, Principal::Kind::user, kPanelsMayNot, false);
}

Principal Authenticator::require_panel(const http::Request& request) const {
  return require(request, Principal::Kind::panel, "Only a panel key may use this route.", false);
}

}  // namespace frontdoor::auth
