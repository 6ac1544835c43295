#include "frontdoor/bmx/credentials.hpp"

#include <pqxx/pqxx>

#include "frontdoor/common/random.hpp"
#include "frontdoor/common/time.hpp"
#include "frontdoor/db/pool.hpp"
#include "store.hpp"

namespace frontdoor::bmx {
namespace {

// Refresh a little before BMX would refuse the token.
constexpr std::chrono::seconds kRefreshAhead{120};

std::string random_uuid() {
  auto hex = common::random_hex(16);
  hex[12] = '4';
  hex[16] = "89ab"[std::stoi(hex.substr(16, 1), nullptr, 16) & 3];
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

std::string context(const std::string& credential_id, const char* which) {
  return credential_id + ":" + which;
}

BmxError link_gone(const std::string& detail) {
  return BmxError(ErrorKind::unauthorized, "refresh_token", 401, detail);
}

// The grant sealed for storing, each token under its own context.
store::SealedPair sealed(const TokenCipher& cipher, const common::Clock& clock,
                         const std::string& id, const TokenGrant& grant) {
  auto access = cipher.seal(grant.access_token, context(id, "access"));
  auto refresh = cipher.seal(grant.refresh_token, context(id, "refresh"));
  return {std::move(access.key_id), std::move(access.bytes), std::move(refresh.bytes),
          clock.now() + grant.expires_in};
}

// A credential id frontdoor holds names a row: links and sites revoke theirs,
// never delete it.
store::StoredCredential existing(std::optional<store::StoredCredential> found,
                                 const std::string& id) {
  if (!found) throw std::logic_error("no BMX credential " + id);
  return std::move(*found);
}

}  // namespace

class StoredToken final : public TokenSource {
 public:
  StoredToken(const Credentials& credentials, std::string id, std::string property_id)
      : credentials_(credentials), id_(std::move(id)), property_id_(std::move(property_id)) {}

  std::string access_token() override {
    const auto stored = credentials_.pool_.run([&](pqxx::connection& connection) {
      pqxx::nontransaction tx(connection);
      return existing(store::credential(tx, id_), id_);
    });
    if (stored.revoked) throw link_gone("The BMX sign-in has expired; sign in again.");
    auto token = credentials_.cipher_.open({stored.pair.key_id, stored.pair.access_token},
                                           context(id_, "access"));
    if (stored.pair.access_expires_at - kRefreshAhead <= credentials_.clock_.now()) {
      return refreshed(token);
    }
    return token;
  }

  std::string refreshed(const std::string& rejected) override {
    return credentials_.pool_.run([&](pqxx::connection& connection) {
      pqxx::work tx(connection);
      const auto stored = existing(store::locked_credential(tx, id_), id_);
      if (stored.revoked) throw link_gone("The BMX sign-in has expired; sign in again.");
      const auto& pair = stored.pair;
      auto current =
          credentials_.cipher_.open({pair.key_id, pair.access_token}, context(id_, "access"));
      // Someone else rotated the pair while we waited for the lock.
      if (current != rejected) return current;
      auto refresh_token =
          credentials_.cipher_.open({pair.key_id, pair.refresh_token}, context(id_, "refresh"));
      TokenGrant grant;
      try {
        grant = credentials_.client_.refresh(refresh_token);
      } catch (const BmxError& error) {
        if (error.kind() != ErrorKind::unauthorized) throw;
        store::revoke_credential(tx, id_);
        tx.commit();
        throw link_gone("BMX no longer accepts this sign-in; sign in to BMX again.");
      }
      store::rotate_credential(tx, id_,
                               sealed(credentials_.cipher_, credentials_.clock_, id_, grant));
      tx.commit();
      return grant.access_token;
    });
  }

  std::string property_id() const override { return property_id_; }

 private:
  const Credentials& credentials_;
  std::string id_;
  std::string property_id_;
};

Credentials::Credentials(db::Pool& pool, const TokenCipher& cipher, BmxClient& client,
                         const common::Clock& clock)
    : pool_(pool), cipher_(cipher), client_(client), clock_(clock) {
  store::prepare_credentials(pool_);
}

std::string Credentials::store(pqxx::work& tx, const TokenGrant& grant) const {
  auto id = random_uuid();
  store::insert_credential(tx, id, sealed(cipher_, clock_, id, grant));
  return id;
}

void Credentials::revoke(pqxx::work& tx, const std::string& credential_id) const {
  store::revoke_credential(tx, credential_id);
}

std::unique_ptr<TokenSource> Credentials::source(const std::string& credential_id,
                                                 const std::string& property_id) const {
  return std::make_unique<StoredToken>(*this, credential_id, property_id);
}

std::string GrantToken::refreshed(const std::string&) {
  throw link_gone("BMX refused a token it has just issued.");
}

}  // namespace frontdoor::bmx
